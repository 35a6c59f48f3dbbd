package io.portcullis.limit;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shared limiter: one EVALSHA of {@code redis/sliding_window.lua} per request, whatever the
 * number of limits (they share a hash tag, so one Cluster slot). If Redis has lost the script
 * (NOSCRIPT: a restart, a failover), the call is repeated once with EVAL, which loads it again.
 * Every call has a deadline; what happens when Redis misses it is the caller's policy.
 *
 * <p>Settlements cost no call of their own: a correction waits here and rides along with the same
 * caller's next decision, or goes out with {@code redis/settle.lua} at the next flush (every
 * second) if that caller sends nothing more. One instance per event loop: no locking.
 */
public final class RedisLimiter implements Limiter {

  private final RedisAPI redis;
  private final long timeoutMs;
  /** Corrections not sent yet: key of the limit -> {window, delta}. */
  private final Map<String, long[]> pending = new HashMap<>();
  private final Map<String, Charge> pendingCharges = new HashMap<>();

  public RedisLimiter(RedisAPI redis, Duration timeout) {
    this.redis = redis;
    this.timeoutMs = timeout.toMillis();
  }

  /** Sends the corrections that found no later decision to ride with (call it every second); completes when all are sent. */
  public Future<Void> flush() {
    List<String> keys = new ArrayList<>(pending.keySet());
    List<Future<Void>> sent = new ArrayList<>(keys.size());
    for (String key : keys) {
      long[] p = pending.remove(key);
      Charge c = pendingCharges.remove(key);
      sent.add(send(c, p[0], p[1]));
    }
    return Future.join(sent).mapEmpty();
  }

  private Future<Void> send(Charge charge, long window, long delta) {
    return LimitScripts.SETTLE.run(redis,
        List.of("1", charge.key(), String.valueOf(window), String.valueOf(delta)), timeoutMs).mapEmpty();
  }

  /** Loads the scripts (SCRIPT LOAD) so the first EVALSHA finds them; a failure here is harmless. */
  public Future<Void> load() {
    return redis.script(List.of("LOAD", LimitScripts.SLIDING_WINDOW.text()))
        .compose(r -> redis.script(List.of("LOAD", LimitScripts.SETTLE.text()))).mapEmpty();
  }

  @Override
  public Future<Decision> acquire(List<Charge> charges) {
    return acquire(charges, null).map(Granted::decision);
  }

  /**
   * A decision and, per charge, the lease granted beside it.
   *
   * @param granted units charged beyond each charge's cost (0 where none was asked or there was no room)
   */
  record Granted(Decision decision, long[] granted) {}

  /** One decision that also asks, per charge, for {@code extra[i]} units more as a lease (null: none). */
  Future<Granted> acquire(List<Charge> charges, long[] extra) {
    List<String> args = new ArrayList<>(2 + charges.size() * 8);
    args.add(String.valueOf(charges.size()));
    for (Charge c : charges) {
      args.add(c.key());
    }
    args.add(String.valueOf(charges.size()));
    List<Charge> carried = new ArrayList<>();
    List<long[]> corrections = new ArrayList<>();
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      args.add(String.valueOf(c.limit()));
      args.add(String.valueOf(c.windowMs()));
      args.add(String.valueOf(c.cost()));
      if (c.isConcurrency()) {
        args.add(c.member());
        args.add("0");
        args.add("0");
        args.add("0");
        continue;
      }
      long[] correction = pending.remove(c.key());
      if (correction != null) {
        carried.add(pendingCharges.remove(c.key()));
        corrections.add(correction);
      }
      args.add(String.valueOf(correction == null ? -1 : correction[0]));
      args.add(String.valueOf(correction == null ? 0 : correction[1]));
      args.add(String.valueOf(c.burst()));
      args.add(extra == null ? "0" : String.valueOf(extra[i]));
    }
    return LimitScripts.SLIDING_WINDOW.run(redis, args, timeoutMs).onFailure(err -> {
      for (int i = 0; i < carried.size(); i++) {
        settle(carried.get(i), corrections.get(i)[0], corrections.get(i)[1]); // keep them for later
      }
    }).map(r -> {
      List<Decision.State> states = new ArrayList<>(charges.size());
      long[] granted = new long[charges.size()];
      for (int i = 0; i < charges.size(); i++) {
        states.add(new Decision.State(r.get(2 + i * 4).toLong(), r.get(3 + i * 4).toLong(), r.get(4 + i * 4).toLong()));
        granted[i] = r.get(5 + i * 4).toLong();
      }
      return new Granted(new Decision(r.get(0).toInteger() == 1, r.get(1).toLong(), states, Decision.Mode.REDIS), granted);
    });
  }

  @Override
  public Future<Void> release(Charge charge) {
    return redis.zrem(List.of(charge.key(), charge.member())).timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
  }

  @Override
  public Future<Void> settle(Charge charge, long window, long delta) {
    long[] p = pending.get(charge.key());
    if (p != null && p[0] != window) {
      send(charge, p[0], p[1]); // a correction of another window cannot share the slot
      p = null;
    }
    if (p == null) {
      pending.put(charge.key(), new long[] {window, delta});
      pendingCharges.put(charge.key(), charge);
    } else {
      p[1] += delta;
    }
    return Future.succeededFuture();
  }

}
