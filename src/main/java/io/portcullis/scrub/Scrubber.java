package io.portcullis.scrub;

import io.portcullis.config.ScrubConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A compiled set of rules: makes one {@link StreamScrubber} per stream of text, and scrubs whole
 * texts (non-streaming responses, request bodies, log lines) with the same rules in block mode.
 */
public final class Scrubber {

  public static final String DEFAULT_MASK = "[REDACTED:{rule}]";

  private final DetectorSet detectors;
  private final Redaction redaction;
  private final int maxHold;
  private final int ruleCount;

  private Scrubber(List<Detector> detectors, Set<String> off, int maxHold, String maskTemplate, Map<String, String> masks) {
    List<String> rules = detectors.stream().flatMap(d -> d.rules().stream()).distinct().toList();
    this.redaction = new Redaction(rules, off, maskTemplate, masks);
    this.ruleCount = (int) rules.stream().filter(redaction::applies).count();
    this.detectors = new DetectorSet(detectors.stream().filter(d -> !redaction.allOff(d.rules())).toList());
    this.maxHold = maxHold;
  }

  /** Every built-in rule, with the given hold-back cap in characters. */
  public static Scrubber builtIn(int maxHold) {
    return new Scrubber(Rules.builtIn(), Set.of(), maxHold, DEFAULT_MASK, Map.of());
  }

  /** The rules for responses: the built-in ones less the disabled ones, plus the custom ones. */
  public static Scrubber of(ScrubConfig config) {
    return new Scrubber(Rules.withCustom(config.custom()), config.disabledRules(), config.maxHold(), config.mask(),
        config.ruleMasks());
  }

  /**
   * The rules for request bodies: those of {@link #of} less the ones whose request action is
   * {@code off}; null when none is left.
   */
  public static Scrubber forRequests(ScrubConfig config) {
    Set<String> off = new HashSet<>(config.disabledRules());
    List<Detector> detectors = Rules.withCustom(config.custom());
    detectors.stream().flatMap(d -> d.rules().stream())
        .filter(rule -> config.requestAction(rule) == ScrubConfig.RequestAction.OFF).forEach(off::add);
    Scrubber scrubber = new Scrubber(detectors, off, config.maxHold(), config.mask(), config.ruleMasks());
    return scrubber.ruleCount == 0 ? null : scrubber;
  }

  /** The mask of a rule. */
  String mask(String rule) {
    return redaction.mask(rule);
  }

  /**
   * A builder that holds two-byte characters from the start: one made for one-byte text would be
   * allocated, then allocated again at twice the size and copied at the first wider character.
   */
  private static StringBuilder wideBuilder(int capacity) {
    StringBuilder b = new StringBuilder();
    b.append('\u0100').setLength(0);
    b.ensureCapacity(capacity);
    return b;
  }

  /** How many rules are on. */
  public int ruleCount() {
    return ruleCount;
  }

  public StreamScrubber stream(Consumer<String> onRedaction) {
    return new StreamScrubber(detectors, redaction, maxHold, onRedaction);
  }

  /** Block mode: the whole text at once. */
  public String scrub(CharSequence text) {
    return scrub(text, rule -> { });
  }

  /** Block mode, counting each redaction; text with nothing to redact comes back as it is. */
  public String scrub(CharSequence text, Consumer<String> onRedaction) {
    return scrub(text, onRedaction, null);
  }

  /** Block mode, each finding replaced by what {@code replacer} says (its mask when null). */
  String scrub(CharSequence text, Consumer<String> onRedaction, Redaction.Replacer replacer) {
    int n = text.length();
    char[] chars = text.toString().toCharArray();
    Scan scan = new Scan(text, (char) 0, (char) 0, true);
    detectors.scan(scan, chars, n);
    List<Finding> findings = scan.findings;
    if (findings.stream().noneMatch(f -> redaction.applies(f.rule()))) {
      return text.toString();
    }
    findings.sort(StreamScrubber.ORDER);
    StringBuilder out = scan.wide ? wideBuilder(n + 16) : new StringBuilder(n + 16);
    redaction.apply(text, 0, n, findings, out, onRedaction, replacer);
    return out.toString();
  }
}
