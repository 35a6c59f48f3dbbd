package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rate limits, by policy name (a role names the policy that applies to its callers).
 *
 * @param expectedInstances how many gateway instances share the limits: when Redis cannot be
 *     reached, a policy in {@code local} mode lets each instance admit its share, limit ÷ this
 * @param policies the policies by name
 * @param enforceMaxTokens a stream whose completion passes the request's own {@code max_tokens}
 *     (plus the tokenizers' tolerance) is ended as the provider should have ended it
 * @param claimIncrement tokens a stream that has spent its reservation claims from the shared
 *     counters at a time (one limiter call per claim)
 * @param lease how much of a large limit an event loop may hold, counted in Redis, to decide a
 *     busy caller's next requests without a round trip
 */
public record LimitsConfig(int expectedInstances, Map<String, Policy> policies, boolean enforceMaxTokens, int claimIncrement,
    Lease lease) {

  /**
   * Leases on the shared counters.
   *
   * @param share the part of a limit one lease asks for (0: no leases); a limit whose share is
   *     under 2 units is never leased, every request of it is decided by Redis
   * @param time how long a lease may be held before what is left of it goes back
   */
  public record Lease(double share, Duration time) {}

  /** What a policy does when Redis fails: count in this process, admit, or refuse (503). */
  public enum OnRedisFailure { LOCAL, OPEN, CLOSED }

  public LimitsConfig {
    policies = Map.copyOf(policies);
  }

  /**
   * At most {@code limit} units in any trailing {@code window}.
   *
   * @param burst with the burst guard (requests only), at most this many requests at once: beyond
   *     it requests are admitted no faster than one per window ÷ limit (GCRA), so a client cannot
   *     spend a whole window's limit in one instant at a window's edge; null without the guard
   */
  public record Window(long limit, Duration window, Long burst) {

    public Window(long limit, Duration window) {
      this(limit, window, null);
    }
  }

  /**
   * The limits of one holder (a user, or a whole team), each null when not set.
   *
   * @param requests requests per window
   * @param tokens LLM tokens (prompt + completion) per window: reserved before the call (prompt
   *     counted + max_tokens or the policy's default), settled from real usage after
   * @param inputTokens prompt tokens per window (reserved as counted, settled to the reported input)
   * @param outputTokens completion tokens per window (reserved as max_tokens, settled to the output)
   * @param dailyTokens a token quota per (sliding) day
   * @param monthlyTokens a token quota per (sliding) 30 days
   * @param concurrent streams in flight at once
   * @param dailyMicroUsd a budget in money per (sliding) day, in millionths of a US dollar: reserved
   *     before the call (the prompt counted and max_tokens at the model's price) and settled to what
   *     the usage cost, exactly as token quotas are
   * @param monthlyMicroUsd the same per (sliding) 30 days
   */
  public record Limits(Window requests, Window tokens, Window inputTokens, Window outputTokens, Long dailyTokens,
      Long monthlyTokens, Long concurrent, Long dailyMicroUsd, Long monthlyMicroUsd) {

    public Limits(Window requests, Window tokens, Window inputTokens, Window outputTokens, Long dailyTokens,
        Long monthlyTokens, Long concurrent) {
      this(requests, tokens, inputTokens, outputTokens, dailyTokens, monthlyTokens, concurrent, null, null);
    }

    public Limits(Window requests, Window tokens, Long dailyTokens, Long monthlyTokens, Long concurrent) {
      this(requests, tokens, null, null, dailyTokens, monthlyTokens, concurrent);
    }

    public boolean any() {
      return requests != null || concurrent != null || countsTokens();
    }

    /** Whether a request must be counted in tokens before the call (a budget in money counts them too). */
    public boolean countsTokens() {
      return tokens != null || inputTokens != null || outputTokens != null || dailyTokens != null || monthlyTokens != null
          || countsMoney();
    }

    public boolean countsMoney() {
      return dailyMicroUsd != null || monthlyMicroUsd != null;
    }
  }

  /**
   * Limits of a caller's requests to some models, on top of the policy's own: counted apart per
   * entry (each entry is a counter of its own), the first entry whose pattern matches applies.
   *
   * @param pattern a model name or a glob ({@code gpt-4o*})
   */
  public record ModelLimits(String pattern, Limits limits, Pattern compiled) {

    public ModelLimits(String pattern, Limits limits) {
      this(pattern, limits, Glob.compile(pattern));
    }

    public boolean matches(String model) {
      return model != null && compiled.matcher(model).matches();
    }
  }

  /**
   * @param user the limits of each caller
   * @param team the limits of each caller's team as a whole (callers without a team have none), or null
   * @param onRedisFailure {@code local}, {@code open} or {@code closed}
   * @param concurrencyLease a stream's place among the concurrent ones is given back when it ends,
   *     and at the latest after this (an instance that died cannot give it back)
   */
  public record Policy(String name, Limits user, Limits team, List<ModelLimits> models, int defaultMaxTokens,
      OnRedisFailure onRedisFailure, Duration concurrencyLease) {

    public Policy {
      models = List.copyOf(models);
    }

    /** The per-model limits for {@code model}: the index of the first entry that matches, or -1. */
    public int modelEntry(String model) {
      for (int i = 0; i < models.size(); i++) {
        if (models.get(i).matches(model)) {
          return i;
        }
      }
      return -1;
    }

    public boolean countsTokens() {
      return user.countsTokens() || (team != null && team.countsTokens())
          || models.stream().anyMatch(m -> m.limits().countsTokens());
    }

    /** Whether any of its limits is a budget in money (its models then need a price). */
    public boolean countsMoney() {
      return user.countsMoney() || (team != null && team.countsMoney())
          || models.stream().anyMatch(m -> m.limits().countsMoney());
    }
  }
}
