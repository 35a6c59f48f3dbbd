package io.portcullis.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authentication's counters: {@code portcullis_auth_failures_total{reason}}, the reason being the
 * error code answered (a fixed set: missing_credentials, invalid_api_key, invalid_token, ...), and
 * {@code portcullis_key_cache_lookups_total{outcome}} for keys kept in Redis: hit (fresh in the
 * process's cache), miss (asked Redis), stale (Redis did not answer; a cached key served within
 * {@code stale_if_error}), unavailable (Redis did not answer and nothing usable was cached).
 */
public final class AuthMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();

  public AuthMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  private final Map<String, Counter> cache = new ConcurrentHashMap<>();

  public void keyCache(String outcome) {
    cache.computeIfAbsent(outcome, o -> Counter.builder("portcullis.key.cache.lookups").tag("outcome", o)
        .description("lookups of keys kept in Redis, by how they were answered").register(registry)).increment();
  }

  public void failed(String reason) {
    failures.computeIfAbsent(reason, r -> Counter.builder("portcullis.auth.failures").tag("reason", r)
        .description("failed authentications, by reason").register(registry)).increment();
  }
}
