package io.portcullis.config;

import java.time.Duration;

/**
 * What the gateway tells its operators: metrics, the access log, usage anomalies, and how often
 * the targets are probed for readiness.
 *
 * @param metrics the gateway's own meters; off, every meter is a no-op (restart to change)
 * @param vertxMetrics Vert.x's HTTP server, client and pool meters and the JVM's (restart to change)
 * @param probeInterval how often each provider is probed with a TCP connect for {@code /readyz}
 * @param accessLog one JSON line per request
 * @param anomaly per-caller usage anomaly detection
 */
public record ObserveConfig(boolean metrics, boolean vertxMetrics, Duration probeInterval, AccessLog accessLog,
    Anomaly anomaly) {

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
