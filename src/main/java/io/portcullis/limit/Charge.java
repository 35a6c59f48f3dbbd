package io.portcullis.limit;

/**
 * One limit a request is counted against.
 *
 * @param key the counter's name, unique per caller, policy and kind
 * @param kind what is counted, as the headers name it: {@code requests}, {@code tokens},
 *     {@code tokens_day}, {@code tokens_month}, and the same with a {@code team_} prefix
 * @param windowMs the window; negative for a concurrency limit (minus the lease)
 * @param cost what this request costs (1 request; its reserved tokens)
 * @param member the request's id, for a concurrency limit; else null
 */
public record Charge(String key, String kind, long limit, long windowMs, long cost, String member) {

  /** A per-window limit or quota. */
  public Charge(String key, String kind, long limit, long windowMs, long cost) {
    this(key, kind, limit, windowMs, cost, null);
  }

  /** A place among {@code limit} concurrent requests, held by {@code member} for at most {@code leaseMs}. */
  public static Charge concurrent(String key, String kind, long limit, long leaseMs, String member) {
    return new Charge(key, kind, limit, -leaseMs, 1, member);
  }

  public boolean isConcurrency() {
    return windowMs < 0;
  }

  /** A charge of tokens (a per-window limit or a quota), settled from real usage later. */
  public boolean countsTokens() {
    return kind.contains("tokens");
  }
}
