package io.portcullis.config;

import java.time.Duration;
import java.util.Map;

/**
 * Rate limits, by policy name (a role names the policy that applies to its callers).
 *
 * @param expectedInstances how many gateway instances share the limits: when Redis cannot be
 *     reached, a policy in {@code local} mode lets each instance admit its share, limit ÷ this
 * @param policies the policies by name
 */
public record LimitsConfig(int expectedInstances, Map<String, Policy> policies) {

  public static final java.util.List<String> FAILURE_MODES = java.util.List.of("local", "open", "closed");

  public LimitsConfig {
    policies = Map.copyOf(policies);
  }

  /** At most {@code limit} units in any trailing {@code window}. */
  public record Window(long limit, Duration window) {}

  /**
   * The limits of one holder (a user, or a whole team), each null when not set.
   *
   * @param requests requests per window
   * @param tokens LLM tokens (prompt + completion) per window: reserved before the call (prompt
   *     counted + max_tokens or the policy's default), settled from real usage after
   * @param dailyTokens a token quota per (sliding) day
   * @param monthlyTokens a token quota per (sliding) 30 days
   * @param concurrent streams in flight at once
   */
  public record Limits(Window requests, Window tokens, Long dailyTokens, Long monthlyTokens, Long concurrent) {

    public boolean any() {
      return requests != null || tokens != null || dailyTokens != null || monthlyTokens != null || concurrent != null;
    }

    public boolean countsTokens() {
      return tokens != null || dailyTokens != null || monthlyTokens != null;
    }
  }

  /**
   * @param user the limits of each caller
   * @param team the limits of each caller's team as a whole (callers without a team have none), or null
   * @param onRedisFailure {@code local}, {@code open} or {@code closed}
   * @param concurrencyLease a stream's place among the concurrent ones is given back when it ends,
   *     and at the latest after this (an instance that died cannot give it back)
   */
  public record Policy(String name, Limits user, Limits team, int defaultMaxTokens, String onRedisFailure,
      Duration concurrencyLease) {}
}
