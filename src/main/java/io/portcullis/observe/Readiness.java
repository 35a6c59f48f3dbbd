package io.portcullis.observe;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;

/** Whether this instance should receive traffic. Shutdown flips it first, before anything closes. */
public final class Readiness {

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();

  public void started() {
    started.set(true);
  }

  public void draining() {
    draining.set(true);
  }

  public boolean isReady() {
    return started.get() && !draining.get();
  }

  public JsonObject detail() {
    return new JsonObject().put("status", isReady() ? "ready" : "not_ready")
        .put("started", started.get()).put("draining", draining.get());
  }
}
