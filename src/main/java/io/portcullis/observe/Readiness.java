package io.portcullis.observe;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this instance should receive traffic. Shutdown flips it first, before anything closes.
 * When a limit policy refuses requests without Redis ({@code on_redis_failure: closed}), Redis
 * being unreachable makes the instance not ready too: better out of the load balancer than
 * answering 503 to everyone.
 */
public final class Readiness {

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** null: Redis is not needed for readiness; else whether it answered the last check. */
  private volatile Boolean redis;

  public void started() {
    started.set(true);
  }

  public void draining() {
    draining.set(true);
  }

  /** Redis answered (true), did not (false), or is not needed for readiness (null). */
  public void redis(Boolean up) {
    redis = up;
  }

  public boolean isReady() {
    return started.get() && !draining.get() && !Boolean.FALSE.equals(redis);
  }

  public JsonObject detail() {
    Boolean r = redis;
    return new JsonObject().put("status", isReady() ? "ready" : "not_ready")
        .put("started", started.get()).put("draining", draining.get())
        .put("redis", r == null ? "not_required" : r ? "up" : "down");
  }
}
