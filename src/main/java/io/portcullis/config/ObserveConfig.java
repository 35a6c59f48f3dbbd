package io.portcullis.config;

import java.time.Duration;
import java.util.Map;

/**
 * What the gateway tells its operators: metrics, the access log, usage anomalies, and how often
 * the targets are probed for readiness.
 *
 * @param metrics the gateway's own meters; off, every meter is a no-op (restart to change)
 * @param vertxMetrics Vert.x's HTTP server, client and pool meters and the JVM's (restart to change)
 * @param probeInterval how often each provider is probed with a TCP connect for {@code /readyz}
 * @param accessLog one JSON line per request
 * @param anomaly per-caller usage anomaly detection
 * @param tracing OpenTelemetry traces (off by default)
 */
public record ObserveConfig(boolean metrics, boolean vertxMetrics, Duration probeInterval, AccessLog accessLog,
    Anomaly anomaly, Tracing tracing) {

  public ObserveConfig(boolean metrics, boolean vertxMetrics, Duration probeInterval, AccessLog accessLog, Anomaly anomaly) {
    this(metrics, vertxMetrics, probeInterval, accessLog, anomaly, Tracing.OFF);
  }

  /**
   * Traces of requests, exported over OTLP/HTTP (protobuf).
   *
   * @param enabled off by default; the exporter is made at start (endpoint, headers, service name
   *     and sampling need a restart; turning it off by a reload stops new traces)
   * @param endpoint the OTLP/HTTP traces URL, e.g. {@code http://collector:4318/v1/traces}
   * @param sampling the share of requests traced that come without a sampled parent (0 to 1); a
   *     client's {@code traceparent} decides for its own requests
   * @param serviceName {@code service.name} of the spans' resource
   * @param headers sent with each export (an API key of a tracing vendor: give it from the environment)
   * @param captureContent put the last user message and the answer in the root span, redacted by the
   *     response scrub rules and cut to {@code maxChars}; off by default
   * @param maxChars most characters of a captured text
   */
  public record Tracing(boolean enabled, String endpoint, double sampling, String serviceName, Map<String, String> headers,
      boolean captureContent, int maxChars) {

    public static final Tracing OFF = new Tracing(false, "http://localhost:4318/v1/traces", 1.0, "portcullis",
        Map.of(), false, 256);

    public Tracing {
      headers = Map.copyOf(headers);
    }
  }

  /** What the access log shows of prompts and answers: nothing, the scrubbed text, or a keyed hash. */
  public enum Prompts { OFF, SCRUBBED, HASH }

  /**
   * @param enabled write the access log (logger {@code portcullis.access}, standard output)
   * @param prompts {@code off} (default): no prompt or completion text; {@code scrubbed}: the last
   *     user message and the completion, redacted and cut to {@code maxChars}; {@code hash}: only
   *     an HMAC-SHA256 of each under {@code hashKey} (equal texts can be matched, not read)
   * @param maxChars most characters of a text logged in {@code scrubbed} mode
   * @param hashKey the HMAC key of {@code hash} mode (a secret: give it from the environment)
   */
  public record AccessLog(boolean enabled, Prompts prompts, int maxChars, String hashKey) {

    @Override
    public String toString() {
      return "AccessLog[enabled=" + enabled + ", prompts=" + prompts + ", maxChars=" + maxChars + "]"; // never the key
    }
  }

  /**
   * @param enabled watch each caller's request and token rates
   * @param interval the rate bucket: rates are counted per caller per interval
   * @param halfLife how fast the baseline forgets (EWMA weight per interval: 1 - 2^(-interval/halfLife))
   * @param threshold a bucket is anomalous past mean + threshold × standard deviation of the baseline
   * @param minRequests ... and only with at least this many requests in the bucket (small counts are noise)
   * @param minTokens the same floor for tokens
   * @param warmup buckets of history a caller needs before it can be flagged
   * @param tighten multiply a flagged caller's limits by this for {@code cooldown}; 1 leaves them
   * @param cooldown how long a flag tightens the limits
   */
  public record Anomaly(boolean enabled, Duration interval, Duration halfLife, double threshold, long minRequests,
      long minTokens, int warmup, double tighten, Duration cooldown) {}
}
