package io.portcullis.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream failures as the operator needs them: {@code portcullis_upstream_errors_total{provider,
 * kind}} (kind is the gateway's error code: {@code upstream_error}, {@code upstream_timeout},
 * {@code upstream_unreachable}, {@code upstream_rate_limited}...) and
 * {@code portcullis_upstream_failovers_total{provider}} (a request moved on from this provider to
 * the next target). Providers are config names, kinds are codes from the gateway: bounded sets.
 */
public final class UpstreamMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public UpstreamMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void error(String provider, String kind) {
    counters.computeIfAbsent("e " + provider + ' ' + kind, k -> Counter.builder("portcullis.upstream.errors")
        .tag("provider", provider).tag("kind", kind).description("failed upstream attempts, by provider and kind")
        .register(registry)).increment();
  }

  void failover(String fromProvider) {
    counters.computeIfAbsent("f " + fromProvider, k -> Counter.builder("portcullis.upstream.failovers")
        .tag("provider", fromProvider).description("requests moved on from this provider to their next target")
        .register(registry)).increment();
  }
}
