package io.portcullis.auth;

import io.portcullis.config.AuthConfig.BruteForceConfig;
import io.portcullis.config.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;

/**
 * Failed authentications per client address, counted for the whole cluster in Redis when it is
 * configured (N instances do not grant N times the threshold), else, and whenever Redis does not
 * answer, in this process ({@link FailureCounter}). Only failures are counted: a request whose
 * credential verifies costs nothing here and is never refused for what others did from its address.
 * One per event loop (its Redis client belongs to it).
 */
public final class AuthFailures {

  public static final RedisScript SCRIPT = RedisScript.load("redis/auth_failures.lua");

  private final RedisAPI redis;
  private final Duration timeout;
  private final FailureCounter local;

  /** @param redis the shared store, or null to count in this process only */
  public AuthFailures(RedisAPI redis, Duration timeout, FailureCounter local) {
    this.redis = redis;
    this.timeout = timeout;
    this.local = local;
  }

  /**
   * Counts one failure of this address. Returns the cool-down left, in ms, when the address was
   * already cooling down (the failure is answered 429), else 0 (401; the failure that reaches the
   * threshold starts the cool-down).
   */
  public Future<Long> failed(String address, BruteForceConfig config) {
    if (redis == null) {
      return Future.succeededFuture(failedLocally(address, config));
    }
    String tag = "{af:" + address + "}";
    return SCRIPT.run(redis, List.of("2", "pc:" + tag + ":n", "pc:" + tag + ":cool",
            String.valueOf(config.window().toMillis()), String.valueOf(config.maxFailures()),
            String.valueOf(config.cooldown().toMillis())), timeout.toMillis())
        .map(r -> r == null ? 0L : r.toLong())
        .recover(err -> Future.succeededFuture(failedLocally(address, config)));
  }

  private long failedLocally(String address, BruteForceConfig config) {
    long now = System.nanoTime();
    long left = local.blockedFor(address, now);
    if (left > 0) {
      return Math.max(1, left / 1_000_000);
    }
    local.failed(address, now, config);
    return 0;
  }
}
