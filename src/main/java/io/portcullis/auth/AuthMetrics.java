package io.portcullis.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authentication's counters: {@code portcullis_auth_failures_total{reason}}, the reason being the
 * error code answered (a fixed set: missing_credentials, invalid_api_key, invalid_token, ...).
 */
public final class AuthMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();

  public AuthMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void failed(String reason) {
    failures.computeIfAbsent(reason, r -> Counter.builder("portcullis.auth.failures").tag("reason", r)
        .description("failed authentications, by reason").register(registry)).increment();
  }
}
