package io.portcullis.scrub;

import java.util.Set;

/** A detector that reports findings of a single rule, at a single priority. */
abstract class OneRuleDetector extends Detector {

  final String rule;
  final int priority;

  OneRuleDetector(String rule, int priority) {
    this.rule = rule;
    this.priority = priority;
  }

  @Override
  final Set<String> rules() {
    return Set.of(rule);
  }
}
