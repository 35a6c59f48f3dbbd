package io.portcullis.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The limiter's counters: {@code portcullis_ratelimit_decisions_total{policy, mode, outcome}}, where
 * mode says who decided (redis, local, open, closed, cache: the deny cache) and outcome is allowed,
 * denied or unavailable. Policy names come from the config.
 */
public final class LimitMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();

  public LimitMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  private Timer redisOk;
  private Timer redisFailed;

  /**
   * {@code portcullis_redis_latency_seconds{outcome}}: the time of each limiter call to Redis, from
   * sending to its answer (or its failure, deadline included).
   */
  void redisCall(long nanos, boolean ok) {
    if (redisOk == null) {
      redisOk = redisTimer("ok");
      redisFailed = redisTimer("failed");
    }
    (ok ? redisOk : redisFailed).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer redisTimer(String outcome) {
    return Timer.builder("portcullis.redis.latency").tag("operation", "decide").tag("outcome", outcome)
        .description("limiter calls to Redis, until their answer").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
  }

  void decided(String policy, String mode, String outcome) {
    decisions.computeIfAbsent(policy + '\u0000' + mode + '\u0000' + outcome, k -> Counter.builder("portcullis.ratelimit.decisions")
        .tag("policy", policy).tag("mode", mode).tag("outcome", outcome)
        .description("rate-limit decisions, by policy, by who decided and how").register(registry)).increment();
  }
}
