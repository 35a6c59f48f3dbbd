package io.portcullis.limit;

import io.portcullis.config.LimitsConfig;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The shared limiter with leases, so that a busy caller is decided on this event loop most of the
 * time instead of in a Redis round trip per request. A Redis decision that admits also asks, for
 * each per-window limit large enough ({@link #leaseSize}: {@code limits.lease.share} of it, at least
 * 2 units), for that many units beyond the request's cost; Redis grants them only as far as the
 * window has room (never a reason to refuse) and counts them at once. This event loop then admits
 * the caller's next requests from what it holds while every limit of the request has a lease with
 * room, until the lease runs out, its window ends or {@code limits.lease.time} passes; what is left
 * then goes back as a correction of the window it was counted in.
 *
 * <p>What it guarantees: nothing is admitted that Redis has not counted, so across all instances a
 * limit is never exceeded because of leases. What it costs: units leased here and not used are
 * refused elsewhere until they go back, at most {@code share × limit} per event loop and limit,
 * for at most the lease time; limits under {@code 2 / share} units are never leased. Concurrency
 * limits and limits with a burst guard are never leased (each request must be placed or paced).
 * One instance per event loop: no locking.
 */
public final class LeasedLimiter implements Limiter {

  private final RedisLimiter redis;
  /** The lease settings of the config in force (they change on reload). */
  private final Supplier<LimitsConfig.Lease> config;
  /** The leases held, by the limit's key. */
  private final Map<String, Lease> leases = new HashMap<>();
  /** Keys whose lease is being asked for: meanwhile others ask for their own cost only (no pile of leases at once). */
  private final Set<String> asking = new HashSet<>();

  private static final class Lease {
    final Charge charge;
    final long window;
    final long endsNanos;
    final long remainingAtGrant;
    final long resetAtNanos;
    long units;

    Lease(Charge charge, long window, long units, long endsNanos, long remainingAtGrant, long resetAtNanos) {
      this.charge = charge;
      this.window = window;
      this.units = units;
      this.endsNanos = endsNanos;
      this.remainingAtGrant = remainingAtGrant;
      this.resetAtNanos = resetAtNanos;
    }
  }

  public LeasedLimiter(RedisLimiter redis, Supplier<LimitsConfig.Lease> config) {
    this.redis = redis;
    this.config = config;
  }

  /** The units one lease of this limit asks for; 0 when it is never leased. */
  long leaseSize(Charge c) {
    double share = config.get().share();
    if (c.isConcurrency() || c.burst() > 0 || share <= 0) {
      return 0;
    }
    long size = (long) (c.limit() * share);
    return size >= 2 ? size : 0;
  }

  @Override
  public Decision fromHeld(List<Charge> charges, long nowNanos) {
    if (charges.isEmpty()) {
      return null;
    }
    Lease[] held = new Lease[charges.size()];
    for (int i = 0; i < held.length; i++) {
      Charge c = charges.get(i);
      Lease lease = leases.get(c.key());
      // the lease must be of this very limit (a reload or the anomaly factor may have changed it)
      if (lease == null || nowNanos >= lease.endsNanos || lease.units < c.cost() || lease.charge.limit() != c.limit()
          || lease.charge.windowMs() != c.windowMs()) {
        return null;
      }
      held[i] = lease;
    }
    List<Decision.State> states = new ArrayList<>(held.length);
    for (int i = 0; i < held.length; i++) {
      Lease lease = held[i];
      lease.units -= charges.get(i).cost();
      // what Redis had left when it granted the lease, plus what is still held here
      states.add(new Decision.State(lease.remainingAtGrant + lease.units, Math.max(0, (lease.resetAtNanos - nowNanos) / 1_000_000),
          lease.window));
    }
    return new Decision(true, 0, states, Decision.Mode.LEASE);
  }

  @Override
  public Future<Decision> acquire(List<Charge> charges) {
    long[] extra = new long[charges.size()];
    List<String> asked = new ArrayList<>(2);
    for (int i = 0; i < extra.length; i++) {
      String key = charges.get(i).key();
      extra[i] = asking.contains(key) ? 0 : leaseSize(charges.get(i));
      if (extra[i] > 0) {
        asked.add(key);
      }
    }
    if (asked.isEmpty()) {
      return redis.acquire(charges);
    }
    asking.addAll(asked);
    long askedAt = System.nanoTime();
    long timeNanos = config.get().time().toNanos();
    return redis.acquire(charges, extra).onComplete(ar -> asked.forEach(asking::remove)).map(granted -> {
      Decision d = granted.decision();
      if (d.allowed()) {
        for (int i = 0; i < extra.length; i++) {
          if (granted.granted()[i] > 0) {
            Decision.State s = d.states().get(i);
            long resetAt = askedAt + s.resetMs() * 1_000_000;
            // a lease never outlives the window it was counted in
            hold(charges.get(i), s.window(), granted.granted()[i], Math.min(askedAt + timeNanos, resetAt), s.remaining(), resetAt);
          }
        }
      }
      return d;
    });
  }

  /** Holds units Redis granted (and counted) in a window, until {@code endsNanos}; joins what is held of the same window. */
  void hold(Charge charge, long window, long units, long endsNanos, long remainingAtGrant, long resetAtNanos) {
    Lease lease = new Lease(charge, window, units, endsNanos, remainingAtGrant, resetAtNanos);
    Lease old = leases.put(lease.charge.key(), lease);
    if (old != null && old.window == lease.window && old.charge.limit() == lease.charge.limit()
        && old.charge.windowMs() == lease.charge.windowMs() && old.endsNanos > System.nanoTime()) {
      lease.units += old.units; // the same window's units, held once (the new lease's end is later: both end by the window's end)
      old.units = 0;
    } else if (old != null) {
      giveBack(old);
    }
  }

  private void giveBack(Lease lease) {
    if (lease.units > 0) {
      redis.settle(lease.charge, lease.window, -lease.units); // rides along with the next decision, or the flush
      lease.units = 0;
    }
  }

  /** Gives back at once what is left of the leases that have ended (call it every 100 ms). */
  public void endLeases() {
    long now = System.nanoTime();
    boolean ended = false;
    for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
      Lease lease = it.next();
      if (now >= lease.endsNanos) {
        it.remove();
        giveBack(lease);
        ended = true;
      }
    }
    if (ended) {
      redis.flush(); // what goes back must not wait for the caller's next decision
    }
  }

  /** Sends the corrections still waiting (call it every second; ended leases go back by {@link #endLeases}). */
  public void flush() {
    redis.flush();
  }

  /**
   * The instance is stopping (its requests have ended): every lease goes back and every correction
   * is sent now. Otherwise what they hold would stay counted in Redis until its window ends, a day
   * for a daily quota or budget: a rolling restart would eat into every caller's budget.
   */
  public Future<Void> close() {
    for (Lease lease : leases.values()) {
      giveBack(lease);
    }
    leases.clear();
    return redis.flush();
  }

  /** Units held here now for a limit's key (0 when none): what tests and the lease bound are about. */
  long held(String key) {
    Lease lease = leases.get(key);
    return lease == null ? 0 : lease.units;
  }

  @Override
  public Future<Void> settle(Charge charge, long window, long delta) {
    return redis.settle(charge, window, delta);
  }

  @Override
  public Future<Void> release(Charge charge) {
    return redis.release(charge);
  }
}
