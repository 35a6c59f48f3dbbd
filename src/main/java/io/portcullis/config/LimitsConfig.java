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
   * @param requests requests per window, or null
   * @param tokens LLM tokens (prompt + completion) per window, or null: reserved before the call
   *     (prompt counted + max_tokens or {@code defaultMaxTokens}), settled from real usage after
   * @param onRedisFailure {@code local}, {@code open} or {@code closed}
   */
  public record Policy(String name, Window requests, Window tokens, int defaultMaxTokens, String onRedisFailure) {}
}
