package io.portcullis.limit;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The same weighted two-window counter as {@code redis/sliding_window.lua}, in this process: the
 * limiter when no Redis is configured, and the {@code local} fallback when Redis is down. One lock
 * per limiter keeps a decision over several limits atomic (decisions take microseconds).
 * Counters unused for two windows are dropped when the map grows, so memory stays bounded by the
 * callers active in the last two windows. The burst guard is the script's GCRA too, its theoretical
 * arrival time kept in microseconds beside the counts.
 */
public final class LocalLimiter implements Limiter {

  private static final int SWEEP_AT = 100_000;

  private final LongSupplier clockMs;
  private final Map<String, long[]> counters = new HashMap<>(); // key -> {window number, cur, prev, window ms, tat µs}
  /** Concurrency limits: key -> request id -> lease end (ms). */
  private final Map<String, Map<String, Long>> inflight = new HashMap<>();

  public LocalLimiter(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  @Override
  public synchronized Future<Decision> acquire(List<Charge> charges) {
    long now = clockMs.getAsLong();
    if (counters.size() > SWEEP_AT) {
      counters.values().removeIf(c -> now / c[3] > c[0] + 1);
    }
    if (inflight.size() > SWEEP_AT) {
      inflight.values().removeIf(held -> held.values().stream().allMatch(end -> end <= now));
    }
    boolean allowed = true;
    long retry = 0;
    List<Decision.State> states = new ArrayList<>(charges.size());
    long[][] rows = new long[charges.size()][];
    long[] tats = new long[charges.size()];
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      if (c.isConcurrency()) {
        Map<String, Long> held = inflight.computeIfAbsent(c.key(), k -> new HashMap<>());
        held.values().removeIf(end -> end <= now);
        if (held.size() + 1 > c.limit()) {
          allowed = false;
          retry = Math.max(retry, 1000);
        }
        states.add(new Decision.State(Math.max(0, c.limit() - held.size() - 1), -c.windowMs(), 0));
        continue;
      }
      long idx = now / c.windowMs();
      long into = now - idx * c.windowMs();
      long[] row = roll(counters.computeIfAbsent(c.key(), k -> new long[] {idx, 0, 0, c.windowMs(), 0}), idx, c.windowMs());
      rows[i] = row;
      double estimate = row[2] * (double) (c.windowMs() - into) / c.windowMs() + row[1];
      if (estimate + c.cost() > c.limit()) {
        allowed = false;
        retry = Math.max(retry, wait(c, row[1], row[2], into));
      }
      if (c.burst() > 0) {
        double intervalUs = c.windowMs() * 1000.0 / c.limit();
        tats[i] = Math.max(row[4], now * 1000) + (long) Math.ceil(c.cost() * intervalUs);
        double aheadUs = tats[i] - now * 1000 - c.burst() * intervalUs;
        if (aheadUs > 0) {
          allowed = false;
          retry = Math.max(retry, (long) Math.ceil(aheadUs / 1000));
        }
      }
      states.add(new Decision.State(Math.max(0, (long) Math.floor(c.limit() - estimate)), c.windowMs() - into, idx));
    }
    if (allowed) {
      for (int i = 0; i < charges.size(); i++) {
        if (charges.get(i).isConcurrency()) {
          inflight.get(charges.get(i).key()).put(charges.get(i).member(), now - charges.get(i).windowMs());
          continue;
        }
        rows[i][1] += charges.get(i).cost();
        if (charges.get(i).burst() > 0) {
          rows[i][4] = tats[i];
        }
        Decision.State s = states.get(i);
        states.set(i, new Decision.State(Math.max(0, s.remaining() - charges.get(i).cost()), s.resetMs(), s.window()));
      }
    }
    return Future.succeededFuture(new Decision(allowed, retry, states, Decision.Mode.LOCAL));
  }

  /** Moves a counter to window {@code idx}: the current becomes the previous, or both reset. */
  private static long[] roll(long[] row, long idx, long windowMs) {
    if (row[3] != windowMs) {
      row[0] = idx;
      row[1] = 0;
      row[2] = 0;
      row[3] = windowMs;
    } else if (row[0] == idx - 1) {
      row[2] = row[1];
      row[1] = 0;
      row[0] = idx;
    } else if (row[0] < idx - 1) {
      row[2] = 0;
      row[1] = 0;
      row[0] = idx;
    }
    return row;
  }

  /** Milliseconds until {@code cost} fits (the same arithmetic as the Lua script). */
  static long wait(Charge c, long cur, long prev, long into) {
    long w = c.windowMs();
    if (c.cost() > c.limit()) {
      return w - into + w;
    }
    if (cur + c.cost() <= c.limit()) {
      return (long) Math.ceil(w - (c.limit() - cur - c.cost()) * (double) w / prev) - into;
    }
    return (w - into) + (long) Math.ceil(w - (c.limit() - c.cost()) * (double) w / cur);
  }

  @Override
  public synchronized Future<Void> release(Charge charge) {
    Map<String, Long> held = inflight.get(charge.key());
    if (held != null) {
      held.remove(charge.member());
      if (held.isEmpty()) {
        inflight.remove(charge.key());
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> settle(Charge charge, long window, long delta) {
    long[] row = counters.get(charge.key());
    if (row != null) {
      if (row[0] == window) {
        row[1] = Math.max(0, row[1] + delta);
      } else if (row[0] == window + 1) {
        row[2] = Math.max(0, row[2] + delta);
      }
    }
    return Future.succeededFuture();
  }

  /** A copy whose limits are divided by {@code share} (each of N instances admits its part). */
  static List<Charge> shared(List<Charge> charges, int share) {
    if (share <= 1) {
      return charges;
    }
    List<Charge> out = new ArrayList<>(charges.size());
    for (Charge c : charges) {
      out.add(c.withLimit(Math.max(1, c.limit() / share), c.burst() == 0 ? 0 : Math.max(1, c.burst() / share)));
    }
    return out;
  }
}
