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
 * denied or unavailable; {@code portcullis_token_claims_total{policy, outcome}}, the claims of
 * streams that ran past their reservation (granted, refused, unavailable); and
 * {@code portcullis_completion_overruns_total{model, action}}, completions past the request's own
 * {@code max_tokens} (cut: a stream ended there; charged: a whole answer charged in full) or whose
 * provider reported less than was counted (underreported). Policy and model names come from the
 * config.
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

  void claimed(String policy, String outcome) {
    decisions.computeIfAbsent("claim\u0000" + policy + '\u0000' + outcome, k -> Counter.builder("portcullis.token.claims")
        .tag("policy", policy).tag("outcome", outcome)
        .description("claims of streams past their reservation, by policy and outcome").register(registry)).increment();
  }

  void overrun(String model, String action) {
    decisions.computeIfAbsent("overrun\u0000" + model + '\u0000' + action, k -> Counter.builder("portcullis.completion.overruns")
        .tag("model", model).tag("action", action)
        .description("completions past the request's max_tokens, or under-reported by their provider").register(registry)).increment();
  }

  void decided(String policy, String mode, String outcome) {
    decisions.computeIfAbsent(policy + '\u0000' + mode + '\u0000' + outcome, k -> Counter.builder("portcullis.ratelimit.decisions")
        .tag("policy", policy).tag("mode", mode).tag("outcome", outcome)
        .description("rate-limit decisions, by policy, by who decided and how").register(registry)).increment();
  }
}
