package io.portcullis.limit;

/**
 * One limit a request is counted against.
 *
 * @param key the counter's name, unique per caller, policy and kind
 * @param kind what is counted, as the headers name it: {@code requests}, {@code tokens},
 *     {@code tokens_day}, {@code tokens_month}, and the same with a {@code team_} prefix
 * @param cost what this request costs (1 request; its reserved tokens)
 */
public record Charge(String key, String kind, long limit, long windowMs, long cost) {

  /** A charge of tokens (a per-window limit or a quota), settled from real usage later. */
  public boolean countsTokens() {
    return kind.contains("tokens");
  }
}
