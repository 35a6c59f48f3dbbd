package io.portcullis.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code portcullis_guard_verdicts_total{guard, category, action}}: requests a guard refused
 * ({@code block}) or marked ({@code flag}). Guards are validation, injection, cors and edge;
 * categories are the violation codes and injection categories from code: bounded sets.
 */
public final class GuardMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public GuardMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void verdict(String guard, String category, String action) {
    counters.computeIfAbsent(guard + ' ' + category + ' ' + action, k -> Counter.builder("portcullis.guard.verdicts")
        .tag("guard", guard).tag("category", category).tag("action", action)
        .description("requests refused or flagged by a guard, by guard, category and action").register(registry)).increment();
  }
}
