package io.portcullis.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limiter's counters: {@code portcullis_ratelimit_decisions_total{policy, mode, outcome}}, where
 * mode says who decided (redis, local, open, closed, cache: the deny cache) and outcome is allowed,
 * denied or unavailable. Policy names come from the config.
 */
public final class LimitMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();

  public LimitMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void decided(String policy, String mode, String outcome) {
    decisions.computeIfAbsent(policy + '\u0000' + mode + '\u0000' + outcome, k -> Counter.builder("portcullis.ratelimit.decisions")
        .tag("policy", policy).tag("mode", mode).tag("outcome", outcome)
        .description("rate-limit decisions, by policy, by who decided and how").register(registry)).increment();
  }
}
