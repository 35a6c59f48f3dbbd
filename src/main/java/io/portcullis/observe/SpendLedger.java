package io.portcullis.observe;

import io.portcullis.config.RedisClients;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.Principal;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What was spent, summed per user, team, key and model per UTC day, for {@code GET /admin/spend}.
 * Each request's cost ({@link Spend}) is added in memory as the exchange ends (no call on the
 * request path); with Redis, the sums are moved to one hash per day, {@code pc:spend:{<date>}},
 * by {@link #flush} (the gateway calls it every second: one pipelined round trip a day for every
 * request of that second) and every instance's requests add up there; without, this process's
 * sums are the whole answer. Amounts are kept in nano-dollars (integers: sums are exact).
 */
public final class SpendLedger {

  /** The dimensions spend is summed by. */
  public enum GroupBy { USER, TEAM, KEY, MODEL }

  static final String PREFIX = "pc:spend:";
  /** Daily hashes are kept this long, then Redis drops them. */
  static final Duration KEEP = Duration.ofDays(400);

  /** Not yet moved to Redis (or, without Redis, everything), by day then field. */
  private final Map<LocalDate, Map<String, LongAdder>> pending = new ConcurrentHashMap<>();
  /** Without Redis: the sums so far (pending is moved here, as it would be to Redis). */
  private final Map<LocalDate, Map<String, Long>> local = new ConcurrentHashMap<>();

  /** Adds an ended exchange's cost, when it had one. */
  public void record(Exchange ex) {
    Principal p = ex.principal();
    if (p == null || ex.model() == null) {
      return;
    }
    double usd = Spend.usd(ex);
    if (usd <= 0) {
      return;
    }
    add(LocalDate.now(ZoneOffset.UTC), p, ex.model(), Math.round(usd * 1e9));
  }

  void add(LocalDate day, Principal p, String model, long nanoUsd) {
    Map<String, LongAdder> fields = pending.computeIfAbsent(day, d -> new ConcurrentHashMap<>());
    fields.computeIfAbsent("user:" + p.subject(), f -> new LongAdder()).add(nanoUsd);
    if (p.team() != null) {
      fields.computeIfAbsent("team:" + p.team(), f -> new LongAdder()).add(nanoUsd);
    }
    if (p.credentialId() != null && "api_key".equals(p.method())) {
      fields.computeIfAbsent("key:" + p.credentialId(), f -> new LongAdder()).add(nanoUsd);
    }
    fields.computeIfAbsent("model:" + model, f -> new LongAdder()).add(nanoUsd);
  }

  /** What is pending, taken out (what is added meanwhile stays for the next flush). */
  private Map<LocalDate, Map<String, Long>> drain() {
    Map<LocalDate, Map<String, Long>> out = new HashMap<>();
    for (Map.Entry<LocalDate, Map<String, LongAdder>> day : pending.entrySet()) {
      for (Map.Entry<String, LongAdder> f : day.getValue().entrySet()) {
        long v = f.getValue().sumThenReset();
        if (v != 0) {
          out.computeIfAbsent(day.getKey(), d -> new HashMap<>()).merge(f.getKey(), v, Long::sum);
        }
      }
    }
    return out;
  }

  private void putBack(Map<LocalDate, Map<String, Long>> sums) {
    sums.forEach((day, fields) -> fields.forEach((f, v) ->
        pending.computeIfAbsent(day, d -> new ConcurrentHashMap<>()).computeIfAbsent(f, x -> new LongAdder()).add(v)));
  }

  /**
   * Moves what is pending to Redis, one pipelined call per day (HINCRBY per field, the day's
   * expiry renewed); what a failed call carried is put back for the next flush. Without Redis
   * ({@code redis} null) into this process's sums.
   */
  public Future<Void> flush(Redis redis, Duration timeout) {
    Map<LocalDate, Map<String, Long>> sums = drain();
    if (sums.isEmpty()) {
      return Future.succeededFuture();
    }
    if (redis == null) {
      sums.forEach((day, fields) -> fields.forEach((f, v) ->
          local.computeIfAbsent(day, d -> new ConcurrentHashMap<>()).merge(f, v, Long::sum)));
      return Future.succeededFuture();
    }
    // one pipelined batch per day: a day is one key, one Cluster slot (a batch must not span slots)
    List<Future<Void>> sent = new ArrayList<>();
    sums.forEach((day, fields) -> {
      String key = key(day);
      List<Request> batch = new ArrayList<>();
      fields.forEach((f, v) -> batch.add(Request.cmd(Command.HINCRBY).arg(key).arg(f).arg(v)));
      batch.add(Request.cmd(Command.EXPIRE).arg(key).arg(KEEP.toSeconds()));
      sent.add(redis.batch(batch).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .onFailure(e -> putBack(Map.of(day, fields))).mapEmpty());
    });
    return Future.join(sent).mapEmpty();
  }

  static String key(LocalDate day) {
    return PREFIX + "{" + day + "}";
  }

  /**
   * The sums from {@code from} to {@code to} (UTC days, both included) grouped by {@code by}, in
   * nano-dollars, by name; from Redis when given (what this process has not flushed yet is
   * not in it: at most a second's worth), else this process's.
   */
  public Future<Map<String, Long>> totals(Redis redis, Duration timeout, GroupBy by, LocalDate from, LocalDate to) {
    String prefix = by.name().toLowerCase(Locale.ROOT) + ":";
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    Map<String, Long> out = new TreeMap<>();
    if (redis == null) {
      flush(null, timeout);
      for (LocalDate d : days) {
        local.getOrDefault(d, Map.of()).forEach((f, v) -> {
          if (f.startsWith(prefix)) {
            out.merge(f.substring(prefix.length()), v, Long::sum);
          }
        });
      }
      return Future.succeededFuture(out);
    }
    // a call per day (each day is its own key and Cluster slot), all at once
    List<Future<Response>> replies = new ArrayList<>();
    days.forEach(d -> replies.add(redis.send(Request.cmd(Command.HGETALL).arg(key(d)))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)));
    return Future.all(replies).map(all -> {
      for (int d = 0; d < all.size(); d++) {
        RedisClients.hash(all.resultAt(d)).forEach((f, v) -> {
          if (f.startsWith(prefix)) {
            out.merge(f.substring(prefix.length()), Long.parseLong(v), Long::sum);
          }
        });
      }
      return out;
    });
  }
}
