package io.portcullis.scrub;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scrubber's counters: {@code portcullis_redactions_total{rule}} and
 * {@code portcullis_pseudonymized_total{rule}} (rule names are a bounded set; never the matched text).
 */
public final class ScrubMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> byRule = new ConcurrentHashMap<>();
  private final Map<String, Counter> pseudonymizedByRule = new ConcurrentHashMap<>();

  public ScrubMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counters of their own, for tests and tools that have no registry. */
  public ScrubMetrics() {
    this(new SimpleMeterRegistry());
  }

  public void redacted(String rule) {
    byRule.computeIfAbsent(rule, r -> Counter.builder("portcullis.redactions").tag("rule", r)
        .description("secrets and PII redacted, by rule").register(registry)).increment();
  }

  /** Distinct values of one request replaced by placeholders. */
  public void pseudonymized(String rule, int values) {
    pseudonymizedByRule.computeIfAbsent(rule, r -> Counter.builder("portcullis.pseudonymized").tag("rule", r)
        .description("distinct values in requests replaced by placeholders, by rule").register(registry)).increment(values);
  }

  public Map<String, Long> redactionsByRule() {
    Map<String, Long> out = new TreeMap<>();
    byRule.forEach((rule, c) -> out.put(rule, (long) c.count()));
    return out;
  }
}
