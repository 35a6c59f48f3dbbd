package io.portcullis.limit;

import io.vertx.core.Future;
import java.util.List;

/**
 * A sliding-window limiter: checks every charge of a request and, only if all fit, counts them all
 * (atomically). Implementations: Redis (shared by all instances) and in-process.
 */
public interface Limiter {

  Future<Decision> acquire(List<Charge> charges);

  /**
   * A decision this limiter can make at once, without a call, from what it already holds (an
   * admitting one only); null when it cannot and {@link #acquire} must ask.
   */
  default Decision fromHeld(List<Charge> charges, long nowNanos) {
    return null;
  }

  /** Corrects a token reservation with the real usage: adds {@code delta} to the window charged. */
  Future<Void> settle(Charge charge, long window, long delta);

  /** Gives back a concurrency place (the request ended). */
  Future<Void> release(Charge charge);
}
