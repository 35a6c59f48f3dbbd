package io.portcullis.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.config.ObserveConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage anomaly detection: each caller's requests and tokens are counted per interval, and each
 * finished interval updates the caller's own baseline, an exponentially weighted mean and variance
 * (weight α = 1 − 2^(−interval / half_life) per interval; idle intervals count as zeros). An
 * interval whose count passes mean + threshold × standard deviation, and the absolute floor
 * ({@code min_requests} / {@code min_tokens}), once the caller has {@code warmup} intervals of
 * history, is flagged at once (while it is still running): a metric, a log event, and, when
 * {@code tighten} is below 1, the caller's limits multiplied by it for {@code cooldown}. A flagged
 * interval enters the baseline capped at the threshold, so one burst does not teach the baseline
 * that bursts are normal.
 *
 * <p>Per process: behind a load balancer each instance sees its share of a caller's traffic, and
 * the baseline is of that share, so a burst stands out the same way. Memory is bounded (the
 * least recently seen callers are forgotten past {@value #MAX_CALLERS}).
 */
public final class UsageAnomalies {

  private static final Logger LOG = LoggerFactory.getLogger(UsageAnomalies.class);
  static final int MAX_CALLERS = 100_000;
  /** Idle intervals folded in one by one up to this many; past it the baseline has decayed to nothing anyway. */
  private static final int MAX_GAP = 10_000;

  private final LongSupplier clockMs;
  private final Counter requestFlags;
  private final Counter tokenFlags;
  private final Map<String, Baseline> callers = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Baseline> eldest) {
      return size() > MAX_CALLERS;
    }
  };

  /** A flag raised by {@link #record}. */
  public enum Kind { REQUESTS, TOKENS }

  public UsageAnomalies(MeterRegistry registry, LongSupplier clockMs) {
    this.clockMs = clockMs;
    this.requestFlags = flags(registry, "requests");
    this.tokenFlags = flags(registry, "tokens");
  }

  private static Counter flags(MeterRegistry registry, String kind) {
    return Counter.builder("portcullis.usage.anomalies").tag("kind", kind)
        .description("callers flagged for usage far outside their own baseline").register(registry);
  }

  /** One caller's baseline and its running interval. */
  static final class Baseline {
    long interval = Long.MIN_VALUE;
    long requests;
    long tokens;
    final Ewma requestRate = new Ewma();
    final Ewma tokenRate = new Ewma();
    int seen;
    boolean requestsFlagged;
    boolean tokensFlagged;
    long tightenedUntilMs;
  }

  /** An exponentially weighted mean and variance (incremental form). */
  static final class Ewma {
    double mean;
    double variance;

    void add(double x, double alpha) {
      double diff = x - mean;
      double increment = alpha * diff;
      mean += increment;
      variance = (1 - alpha) * (variance + diff * increment);
    }

    double bound(double threshold) {
      return mean + threshold * Math.sqrt(variance);
    }
  }

  /**
   * Counts a request of {@code caller} (a principal's subject: bounded by the callers the gateway
   * knows) that used {@code tokens}; returns the flag it raised, or null.
   */
  public Kind record(String caller, long requests, long tokens, ObserveConfig.Anomaly config) {
    if (!config.enabled() || caller == null) {
      return null; // checked before the lock: switched off, it costs the event loops nothing
    }
    return recordLocked(caller, requests, tokens, config);
  }

  private synchronized Kind recordLocked(String caller, long requests, long tokens, ObserveConfig.Anomaly config) {
    long now = clockMs.getAsLong();
    long intervalMs = config.interval().toMillis();
    long interval = now / intervalMs;
    double alpha = 1 - Math.pow(2, -(double) intervalMs / config.halfLife().toMillis());
    Baseline b = callers.computeIfAbsent(caller, k -> new Baseline());
    if (b.interval != interval) {
      roll(b, interval, alpha, config);
    }
    b.requests += requests;
    b.tokens += tokens;
    if (b.seen < config.warmup()) {
      return null;
    }
    Kind raised = null;
    if (!b.requestsFlagged && b.requests >= config.minRequests() && b.requests > b.requestRate.bound(config.threshold())) {
      b.requestsFlagged = true;
      requestFlags.increment();
      raised = Kind.REQUESTS;
      LOG.warn("usage anomaly: caller {} sent {} requests in this {} s interval; its baseline is {} ± {}", caller, b.requests,
          intervalMs / 1000, Math.round(b.requestRate.mean), Math.round(Math.sqrt(b.requestRate.variance)));
    }
    if (!b.tokensFlagged && b.tokens >= config.minTokens() && b.tokens > b.tokenRate.bound(config.threshold())) {
      b.tokensFlagged = true;
      tokenFlags.increment();
      raised = raised == null ? Kind.TOKENS : raised;
      LOG.warn("usage anomaly: caller {} used {} tokens in this {} s interval; its baseline is {} ± {}", caller, b.tokens,
          intervalMs / 1000, Math.round(b.tokenRate.mean), Math.round(Math.sqrt(b.tokenRate.variance)));
    }
    if (raised != null && config.tighten() < 1) {
      b.tightenedUntilMs = now + config.cooldown().toMillis();
    }
    return raised;
  }

  /** What {@code caller}'s limits are multiplied by now: the config's {@code tighten} while a flag cools down, else 1. */
  public double limitFactor(String caller, ObserveConfig.Anomaly config) {
    if (!config.enabled() || config.tighten() >= 1 || caller == null) {
      return 1; // the default: no lock taken on the request path
    }
    synchronized (this) {
      Baseline b = callers.get(caller);
      return b != null && b.tightenedUntilMs > clockMs.getAsLong() ? config.tighten() : 1;
    }
  }

  /**
   * Folds the finished interval (past the warm-up, capped at the threshold) and the idle ones after
   * it into the baseline. Early on the weight is 1 / intervals seen (a plain average), so a new
   * caller's baseline is its real mean by the end of the warm-up, not a slow climb from zero.
   */
  private static void roll(Baseline b, long interval, double alpha, ObserveConfig.Anomaly config) {
    if (b.interval != Long.MIN_VALUE) {
      boolean warm = b.seen >= config.warmup();
      fold(b, warm ? Math.min(b.requests, b.requestRate.bound(config.threshold())) : b.requests,
          warm ? Math.min(b.tokens, b.tokenRate.bound(config.threshold())) : b.tokens, alpha);
      long idle = Math.min(interval - b.interval - 1, MAX_GAP);
      for (long i = 0; i < idle; i++) {
        fold(b, 0, 0, alpha);
      }
    }
    b.interval = interval;
    b.requests = 0;
    b.tokens = 0;
    b.requestsFlagged = false;
    b.tokensFlagged = false;
  }

  private static void fold(Baseline b, double requests, double tokens, double alpha) {
    double weight = Math.max(alpha, 1.0 / (b.seen + 1));
    b.requestRate.add(requests, weight);
    b.tokenRate.add(tokens, weight);
    if (b.seen < Integer.MAX_VALUE) {
      b.seen++;
    }
  }
}
