package io.portcullis.observe;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this instance should receive traffic. Shutdown flips it first, before anything closes.
 * When a configured feature can no longer serve because Redis is unreachable (a limit policy with
 * {@code on_redis_failure: closed} at once; API keys kept in Redis once their cache's
 * {@code stale_if_error} has run out), the instance is not ready either: better out of the load
 * balancer than answering 503 to everyone. While cached keys still serve, it stays ready: every
 * instance shares the Redis, so taking them all out would turn a blip into an outage. A model none of whose targets can be reached makes it not ready as well.
 */
public final class Readiness {

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** null: Redis is not needed for readiness; else whether it answered the last check. */
  private volatile Boolean redis;
  private volatile List<String> redisNeededBy = List.of();
  private volatile List<String> redisCannotServe = List.of();
  /** Reachability by model, from the last probe of the targets; null until the first probe ends. */
  private volatile Map<String, Boolean> models;

  public void started() {
    started.set(true);
  }

  public void draining() {
    draining.set(true);
  }

  /**
   * Redis answered (true), did not (false), or is not needed (null); which features need it; and
   * which of those cannot serve now (empty while Redis is up).
   */
  public void redis(Boolean up, List<String> neededBy, List<String> cannotServe) {
    redis = up;
    redisNeededBy = List.copyOf(neededBy);
    redisCannotServe = List.copyOf(cannotServe);
  }

  /** The last probe's result: whether each model has a target that can be reached. */
  public void models(Map<String, Boolean> reachable) {
    models = Map.copyOf(reachable);
  }

  public boolean isReady() {
    Map<String, Boolean> m = models;
    return started.get() && !draining.get() && redisCannotServe.isEmpty() && (m == null || !m.containsValue(false));
  }

  public JsonObject detail() {
    Boolean r = redis;
    return new JsonObject().put("status", isReady() ? "ready" : "not_ready")
        .put("started", started.get()).put("draining", draining.get())
        .put("redis", r == null ? "not_required" : r ? "up" : "down")
        .put("redis_needed_by", new JsonArray(redisNeededBy))
        .put("redis_cannot_serve", new JsonArray(redisCannotServe))
        .put("models", modelDetail());
  }

  private JsonObject modelDetail() {
    JsonObject out = new JsonObject();
    Map<String, Boolean> m = models;
    if (m != null) {
      new TreeMap<>(m).forEach((model, up) -> out.put(model, up ? "reachable" : "unreachable"));
    }
    return out;
  }
}
