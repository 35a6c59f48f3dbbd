package io.portcullis.ingress;

/**
 * Time to first token and the gaps between tokens of one streamed response, as the client sees
 * them leave the gateway. Gaps go into a log2 histogram of microseconds: a few hundred bytes per
 * stream, and percentiles good to a factor of two (exact maximum kept).
 */
public final class StreamTimings {

  private static final int BUCKETS = 40;

  private long firstTokenNanos = -1;
  private long lastTokenNanos = -1;
  private long tokens;
  private long maxGapNanos;
  private final long[] gapBuckets = new long[BUCKETS];

  /** Records a content event written to the client at {@code nowNanos}. */
  public void token(long startNanos, long nowNanos) {
    if (firstTokenNanos < 0) {
      firstTokenNanos = nowNanos - startNanos;
    } else {
      long gap = nowNanos - lastTokenNanos;
      maxGapNanos = Math.max(maxGapNanos, gap);
      long micros = Math.max(1, gap / 1000);
      gapBuckets[Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(micros))]++;
    }
    lastTokenNanos = nowNanos;
    tokens++;
  }

  /** Time to first token in nanoseconds since the request arrived, or -1 if none was sent. */
  public long timeToFirstTokenNanos() {
    return firstTokenNanos;
  }

  public long tokens() {
    return tokens;
  }

  public long maxGapNanos() {
    return maxGapNanos;
  }

  /** Upper bound of the gap at quantile q (0..1) in microseconds; 0 when fewer than two tokens. */
  public long gapQuantileMicros(double q) {
    long total = tokens - 1;
    if (total <= 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += gapBuckets[i];
      if (seen >= rank) {
        return 1L << (i + 1);
      }
    }
    return maxGapNanos / 1000;
  }
}
