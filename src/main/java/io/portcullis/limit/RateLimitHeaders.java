package io.portcullis.limit;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limit headers of every limited response: the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} fields, and OpenAI's {@code x-ratelimit-*} for requests and tokens, which its
 * SDKs and many clients read.
 */
final class RateLimitHeaders {

  private RateLimitHeaders() {}

  private static final CharSequence POLICY = HttpHeaders.createOptimized("ratelimit-policy");
  private static final CharSequence STATE = HttpHeaders.createOptimized("ratelimit");
  /** Header names by limit kind, made once (pre-encoded names cost less on every response). */
  private static final Map<String, CharSequence[]> NAMES = new ConcurrentHashMap<>();

  private static CharSequence[] names(String kind) {
    return NAMES.computeIfAbsent(kind, k -> {
      String name = k.replace('_', '-');
      return new CharSequence[] {HttpHeaders.createOptimized("x-ratelimit-limit-" + name),
          HttpHeaders.createOptimized("x-ratelimit-remaining-" + name), HttpHeaders.createOptimized("x-ratelimit-reset-" + name)};
    });
  }

  /** The headers of an admitted request. */
  static void put(MultiMap headers, List<Charge> charges, Decision d) {
    put(headers, charges, d, 0, 0);
  }

  /** Whole seconds to wait, never 0: the one rounding of Retry-After, of {@code t=} and of the message. */
  static long retrySeconds(long retryMs) {
    return Math.max(1, (retryMs + 999) / 1000);
  }

  /**
   * The headers of a request, refused when {@code retrySeconds > 0}: then each limit without room
   * for it says {@code t=retrySeconds} (and resets in as long), the same number as
   * {@code Retry-After} and the error message, since that is when it fits again.
   *
   * @param elapsedMs how old the decision is (a refusal remembered and answered again)
   */
  static void put(MultiMap headers, List<Charge> charges, Decision d, long retrySeconds, long elapsedMs) {
    StringBuilder policy = new StringBuilder();
    StringBuilder state = new StringBuilder();
    boolean first = true;
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      Decision.State s = d.states().get(i);
      if (c.isConcurrency()) {
        continue; // no window to announce: a place is free again when a stream ends
      }
      boolean lacking = retrySeconds > 0 && s.remaining() < c.cost();
      long resetMs = lacking ? retrySeconds * 1000 : Math.max(0, s.resetMs() - elapsedMs);
      long resetSeconds = (resetMs + 999) / 1000;
      if (!first) {
        policy.append(", ");
        state.append(", ");
      }
      first = false;
      policy.append('"').append(c.kind()).append("\";q=").append(c.limit()).append(";w=").append(c.windowMs() / 1000);
      state.append('"').append(c.kind()).append("\";r=").append(s.remaining()).append(";t=").append(resetSeconds);
      CharSequence[] names = names(c.kind());
      headers.add(names[0], String.valueOf(c.limit()));
      headers.add(names[1], String.valueOf(s.remaining()));
      headers.add(names[2], duration(resetMs));
    }
    headers.add(POLICY, policy.toString());
    headers.add(STATE, state.toString());
  }

  /** OpenAI's form: {@code 1s}, {@code 6m0s}, {@code 1h2m3s}; under a second {@code 250ms}. */
  static String duration(long ms) {
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = (ms + 999) / 1000;
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return (h > 0 ? h + "h" : "") + (h > 0 || m > 0 ? m + "m" : "") + sec + "s";
  }
}
