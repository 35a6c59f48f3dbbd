package io.portcullis.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The process's metrics registry, scraped by Prometheus at {@code /metrics} on the admin port.
 * Each package declares its own meters in one class against it ({@code ScrubMetrics},
 * {@code AuthMetrics}, {@code LimitMetrics}, {@code RequestMetrics}). Label values always come from
 * bounded sets — rule, route, status class, policy and mode names from code or config — never a
 * key, a user, a model's free text or a prompt.
 */
public final class Metrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }
}
