package io.portcullis.limit;

import io.portcullis.config.LimitsConfig;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the right limiter: Redis when it answers; otherwise the policy's failure mode — {@code local}
 * (this instance admits limit ÷ {@code limits.expected_instances}), {@code open} (admit),
 * {@code closed} (a failed future: 503). After {@value #BREAKER_FAILURES} failures in a row Redis is
 * not asked for {@value #BREAKER_OPEN_MS} ms, then one request probes it again; shared limiting
 * resumes by itself. One per event loop (the breaker's state is not shared).
 */
final class Decider {

  static final int BREAKER_FAILURES = 3;
  static final long BREAKER_OPEN_MS = 1000;

  private final Limiter shared;
  private final Limiter local;
  private final LimitMetrics metrics;
  private int failures;
  private long breakerOpenUntilNanos;

  /**
   * @param shared the Redis limiter, or null when no Redis is configured
   * @param local the in-process limiter of this process
   */
  Decider(Limiter shared, Limiter local, LimitMetrics metrics) {
    this.shared = shared;
    this.local = local;
    this.metrics = metrics;
  }

  /** One call over a holder's charges (all under one hash tag). A failed future means closed. */
  Future<Decision> decide(List<Charge> charges, LimitsConfig.Policy policy, int instances, long now) {
    if (charges.isEmpty()) {
      return Future.succeededFuture(new Decision(true, 0, List.of(), Decision.Mode.NONE));
    }
    if (shared == null) {
      return local.acquire(charges);
    }
    Decision held = shared.fromHeld(charges, now);
    if (held != null) {
      return Future.succeededFuture(held); // counted in Redis when leased: good while Redis is away too
    }
    if (now < breakerOpenUntilNanos) {
      return fallback(charges, policy, instances);
    }
    long started = System.nanoTime();
    return shared.acquire(charges).onComplete(ar -> metrics.redisCall(System.nanoTime() - started, ar.succeeded())).map(d -> {
      failures = 0;
      return d;
    }).recover(err -> {
      if (++failures >= BREAKER_FAILURES) {
        breakerOpenUntilNanos = System.nanoTime() + BREAKER_OPEN_MS * 1_000_000;
      }
      return fallback(charges, policy, instances);
    });
  }

  private Future<Decision> fallback(List<Charge> charges, LimitsConfig.Policy policy, int instances) {
    return switch (policy.onRedisFailure()) {
      case OPEN -> Future.succeededFuture(open(charges));
      case CLOSED -> Future.failedFuture("closed");
      case LOCAL -> local.acquire(LocalLimiter.shared(charges, instances));
    };
  }

  private static Decision open(List<Charge> charges) {
    List<Decision.State> states = new ArrayList<>();
    for (Charge c : charges) {
      states.add(new Decision.State(c.limit(), c.windowMs(), -1));
    }
    return new Decision(true, 0, states, Decision.Mode.OPEN);
  }

  /** The limiter that counted a decision's charges. */
  Limiter limiter(Decision d) {
    return d.mode() == Decision.Mode.REDIS || d.mode() == Decision.Mode.LEASE ? shared : local;
  }

  /** Gives back what an admitting decision charged (the other side refused). */
  void refund(List<Charge> charges, Future<Decision> decision) {
    if (!decision.succeeded() || !decision.result().allowed()) {
      return;
    }
    Decision d = decision.result();
    if (d.mode() == Decision.Mode.OPEN || d.mode() == Decision.Mode.NONE) {
      return; // nothing was counted
    }
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      if (c.isConcurrency()) {
        limiter(d).release(c);
      } else {
        limiter(d).settle(c, d.states().get(i).window(), -c.cost());
      }
    }
  }
}
