package io.portcullis.limit;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shared limiter: one EVALSHA of {@code redis/sliding_window.lua} per request, whatever the
 * number of limits (they share a hash tag, so one Cluster slot). If Redis has lost the script
 * (NOSCRIPT: a restart, a failover), the call is repeated once with EVAL, which loads it again.
 * Every call has a deadline; what happens when Redis misses it is the caller's policy.
 */
public final class RedisLimiter implements Limiter {

  private final RedisAPI redis;
  private final long timeoutMs;

  public RedisLimiter(RedisAPI redis, Duration timeout) {
    this.redis = redis;
    this.timeoutMs = timeout.toMillis();
  }

  /** Loads the scripts (SCRIPT LOAD) so the first EVALSHA finds them; a failure here is harmless. */
  public Future<Void> load() {
    return redis.script(List.of("LOAD", LimitScripts.SLIDING_WINDOW))
        .compose(r -> redis.script(List.of("LOAD", LimitScripts.SETTLE))).mapEmpty();
  }

  @Override
  public Future<Decision> acquire(List<Charge> charges) {
    List<String> args = new ArrayList<>(3 + charges.size() * 4);
    args.add(String.valueOf(charges.size()));
    for (Charge c : charges) {
      args.add(c.key());
    }
    args.add(String.valueOf(charges.size()));
    for (Charge c : charges) {
      args.add(String.valueOf(c.limit()));
      args.add(String.valueOf(c.windowMs()));
      args.add(String.valueOf(c.cost()));
    }
    return call(LimitScripts.SLIDING_WINDOW_SHA, LimitScripts.SLIDING_WINDOW, args).map(r -> {
      List<Decision.State> states = new ArrayList<>(charges.size());
      for (int i = 0; i < charges.size(); i++) {
        states.add(new Decision.State(r.get(2 + i * 3).toLong(), r.get(3 + i * 3).toLong(), r.get(4 + i * 3).toLong()));
      }
      return new Decision(r.get(0).toInteger() == 1, r.get(1).toLong(), states, "redis");
    });
  }

  @Override
  public Future<Void> settle(Charge charge, long window, long delta) {
    return call(LimitScripts.SETTLE_SHA, LimitScripts.SETTLE,
        List.of("1", charge.key(), String.valueOf(window), String.valueOf(delta))).mapEmpty();
  }

  private Future<Response> call(String sha, String script, List<String> keysAndArgs) {
    List<String> evalsha = new ArrayList<>(keysAndArgs.size() + 1);
    evalsha.add(sha);
    evalsha.addAll(keysAndArgs);
    return redis.evalsha(evalsha).recover(err -> {
      if (err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")) {
        List<String> eval = new ArrayList<>(keysAndArgs.size() + 1);
        eval.add(script);
        eval.addAll(keysAndArgs);
        return redis.eval(eval);
      }
      return Future.failedFuture(err);
    }).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
