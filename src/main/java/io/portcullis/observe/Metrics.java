package io.portcullis.observe;

import io.portcullis.config.GatewayConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The process's metrics registry, scraped by Prometheus at {@code /metrics} on the admin port.
 * Each package declares its own meters in one class against it ({@code ScrubMetrics},
 * {@code AuthMetrics}, {@code LimitMetrics}, {@code RequestMetrics}, {@code UpstreamMetrics}...).
 * Label values always come from bounded sets — rule, route, status class, policy, provider and mode
 * names from code or config — never a key, a user, a model's free text or a prompt.
 *
 * <p>Switched off, the registry is an empty composite: every meter registered on it is a no-op.
 */
public final class Metrics {

  private final PrometheusMeterRegistry prometheus;
  private final MeterRegistry registry;

  /** Metrics on. */
  public Metrics() {
    this(true);
  }

  public Metrics(boolean enabled) {
    this.prometheus = enabled ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    this.registry = enabled ? prometheus : new CompositeMeterRegistry();
    FunctionCounter.builder("portcullis.log.events.dropped", DroppingAsyncAppender.class,
            c -> DroppingAsyncAppender.dropped())
        .description("log events (access log lines included) dropped because the writer could not keep up").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public boolean enabled() {
    return prometheus != null;
  }

  /** The Prometheus text exposition of every meter (empty when metrics are off). */
  public String scrape() {
    return prometheus == null ? "" : prometheus.scrape();
  }

  /**
   * A Vert.x whose own meters (HTTP server and client requests, connection pools, the JVM) land in
   * this registry. Labels are limited to the method, the status code and pool names: Vert.x can also
   * label by remote address or path, which are unbounded and may carry personal data.
   */
  /**
   * Whether Vert.x's own meters go with this config: not with {@code server.proxy_protocol}, since
   * with its metrics on Vert.x 5.0.10 reports the TCP peer (the balancer) as every connection's
   * address instead of the one the PROXY header names, and the client's address matters more.
   */
  public static boolean vertxMetricsWith(GatewayConfig config) {
    if (config.observe().vertxMetrics() && config.server().clients().proxyProtocol()) {
      org.slf4j.LoggerFactory.getLogger(Metrics.class).warn(
          "observe.vertx_metrics is off with server.proxy_protocol (with it Vert.x loses the PROXY header's address)");
      return false;
    }
    return config.observe().vertxMetrics();
  }

  public Vertx newVertx(VertxOptions options, boolean vertxMetrics) {
    if (prometheus == null || !vertxMetrics) {
      return Vertx.builder().with(options).build();
    }
    // no TCP-level meters (they count bytes on every read and write, which the HTTP meters do per
    // request) and no HTTP client meters (the upstream series and the GenAI durations say more, for
    // less: every request would pay for both)
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setDisabledMetricsCategories(Set.of(MetricsDomain.NET_SERVER.toCategory(),
            MetricsDomain.NET_CLIENT.toCategory(), MetricsDomain.HTTP_CLIENT.toCategory(), MetricsDomain.EVENT_BUS.toCategory(),
            MetricsDomain.DATAGRAM_SOCKET.toCategory(), MetricsDomain.VERTICLES.toCategory()))
        .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.NAMESPACE)));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(prometheus)).build();
  }
}
