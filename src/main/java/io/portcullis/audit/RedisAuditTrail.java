package io.portcullis.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The audit trail in a Redis stream, {@value #STREAM}, shared by every instance and the CLI: each
 * entry is one stream entry with one field ({@code e}: the entry as JSON), its id the stream's.
 * Capped as it is written: at most {@code maxEntries} (approximately: Redis trims whole nodes) and
 * nothing older than {@code maxAge}.
 */
public final class RedisAuditTrail implements AuditTrail {

  /** One key: a stream lives in one Cluster slot. */
  public static final String STREAM = "pc:audit";

  private final RedisAPI redis;
  private final long maxEntries;
  private final Duration maxAge;
  private final Duration timeout;
  private final Runnable onClose;

  public RedisAuditTrail(RedisAPI redis, long maxEntries, Duration maxAge, Duration timeout, Runnable onClose) {
    this.redis = redis;
    this.maxEntries = maxEntries;
    this.maxAge = maxAge;
    this.timeout = timeout;
    this.onClose = onClose;
  }

  @Override
  public Future<String> append(AuditEntry entry) {
    String json = entry.withId(null).toJson().encode();
    long oldest = System.currentTimeMillis() - maxAge.toMillis();
    return redis.xadd(List.of(STREAM, "MAXLEN", "~", String.valueOf(maxEntries), "*", "e", json))
        .compose(id -> redis.xtrim(List.of(STREAM, "MINID", "~", oldest + "-0")).map(id.toString()))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<List<AuditEntry>> page(String before, int limit) {
    String end = before == null ? "+" : "(" + before;
    return redis.xrevrange(List.of(STREAM, end, "-", "COUNT", String.valueOf(limit)))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(r -> {
          List<AuditEntry> out = new ArrayList<>();
          for (Response item : r) {
            Response fields = item.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
              if ("e".equals(fields.get(i).toString())) {
                out.add(AuditEntry.fromJson(item.get(0).toString(), new JsonObject(fields.get(i + 1).toString())));
              }
            }
          }
          return out;
        });
  }

  @Override
  public void close() {
    onClose.run();
  }
}
