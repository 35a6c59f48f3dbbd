package io.portcullis.auth;

import io.portcullis.config.AuthConfig.BruteForceConfig;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per client address in a fixed window of this process: the count when no
 * Redis is configured or it does not answer ({@link AuthFailures}). Past the threshold the address's
 * failures get 429 for a cool-down. Memory is bounded: past {@value #MAX_TRACKED} IPs the finished windows
 * are dropped, and if that is not enough no new IP is tracked until some expire (guessing from an
 * address that is not tracked still fails, it only gets 401 rather than 429).
 */
public final class FailureCounter {

  static final int MAX_TRACKED = 100_000;

  private record Window(long startNanos, int failures, long blockedUntilNanos) {}

  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** Nanoseconds until this IP may try again, or 0 when it may now. */
  public long blockedFor(String ip, long nowNanos) {
    Window w = windows.get(ip);
    return w == null || w.blockedUntilNanos() <= nowNanos ? 0 : w.blockedUntilNanos() - nowNanos;
  }

  public void failed(String ip, long nowNanos, BruteForceConfig config) {
    if (windows.size() >= MAX_TRACKED && !windows.containsKey(ip)) {
      windows.values().removeIf(w -> nowNanos - w.startNanos() > config.window().toNanos() && w.blockedUntilNanos() <= nowNanos);
      if (windows.size() >= MAX_TRACKED) {
        return;
      }
    }
    windows.compute(ip, (k, w) -> {
      if (w == null || nowNanos - w.startNanos() > config.window().toNanos()) {
        w = new Window(nowNanos, 0, w == null ? 0 : w.blockedUntilNanos());
      }
      int failures = w.failures() + 1;
      long blocked = failures >= config.maxFailures() ? nowNanos + config.cooldown().toNanos() : w.blockedUntilNanos();
      return new Window(failures >= config.maxFailures() ? nowNanos : w.startNanos(),
          failures >= config.maxFailures() ? 0 : failures, blocked);
    });
  }

  int tracked() {
    return windows.size();
  }
}
