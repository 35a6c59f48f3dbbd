package io.portcullis.limit;

/**
 * One limit a request is counted against.
 *
 * @param key the counter's name, unique per caller, policy and kind
 * @param kind what is counted, as the headers name it: {@code requests}, {@code tokens},
 *     {@code input_tokens}, {@code output_tokens}, {@code tokens_day}, {@code tokens_month},
 *     {@code usd_day}, {@code usd_month} (budgets in millionths of a dollar), the
 *     same with a {@code team_} prefix (the team's limits) or {@code model_} (per-model limits)
 * @param windowMs the window; negative for a concurrency limit (minus the lease)
 * @param cost what this request costs (1 request; its reserved tokens)
 * @param member the request's id, for a concurrency limit; else null
 * @param burst the burst guard (requests admitted at once before pacing), 0 without it
 */
public record Charge(String key, String kind, long limit, long windowMs, long cost, String member, long burst) {

  /** Which tokens a token charge counts, read from its kind; MONEY: what they cost, in millionths of a dollar. */
  public enum Tokens { NONE, TOTAL, INPUT, OUTPUT, MONEY }

  /** A per-window limit or quota. */
  public Charge(String key, String kind, long limit, long windowMs, long cost) {
    this(key, kind, limit, windowMs, cost, null, 0);
  }

  /** A place among {@code limit} concurrent requests, held by {@code member} for at most {@code leaseMs}. */
  public static Charge concurrent(String key, String kind, long limit, long leaseMs, String member) {
    return new Charge(key, kind, limit, -leaseMs, 1, member, 0);
  }

  public boolean isConcurrency() {
    return windowMs < 0;
  }

  /** A charge of tokens (a per-window limit or a quota), settled from real usage later. */
  public boolean countsTokens() {
    return tokens() != Tokens.NONE;
  }

  public Tokens tokens() {
    if (kind.contains("usd")) {
      return Tokens.MONEY;
    }
    if (kind.endsWith("input_tokens")) {
      return Tokens.INPUT;
    }
    if (kind.endsWith("output_tokens")) {
      return Tokens.OUTPUT;
    }
    return kind.contains("tokens") ? Tokens.TOTAL : Tokens.NONE;
  }

  /** The same limit charged {@code newCost} (a stream's claim). */
  Charge withCost(long newCost) {
    return new Charge(key, kind, limit, windowMs, newCost, member, burst);
  }

  /** The same charge with other limits (the local fallback's share). */
  Charge withLimit(long newLimit, long newBurst) {
    return new Charge(key, kind, newLimit, windowMs, cost, member, newBurst);
  }
}
