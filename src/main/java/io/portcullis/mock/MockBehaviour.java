package io.portcullis.mock;

import io.portcullis.config.MockConfig;

/**
 * What one mock response does. Defaults come from config; a request overrides them with directives
 * after an {@code @} in the model name, e.g. {@code gpt-mock@status=500} or
 * {@code gpt-mock@ttfb=2000;tokens=50;abort_after=10}, so that each routing target of a test can
 * behave differently.
 *
 * @param status non-200 answers with that status and a provider-style error body
 * @param retryAfterSeconds sent as Retry-After with a 429
 * @param firstByteDelayMs wait before any byte of the response
 * @param tokens completion length in tokens
 * @param tokensPerSecond streaming pace (0 = as fast as the client reads)
 * @param abortAfter close the connection after this many tokens (-1 = never)
 * @param malformedAfter send a chunk that is not valid JSON after this many tokens (-1 = never)
 * @param tokenSize characters per generated token (0 = natural words)
 * @param stamp put the mock's send time ({@code System.nanoTime()}, one clock for all processes of a
 *     Linux machine) into each OpenAI chunk as {@code x_mock_sent_ns}, so a load generator can
 *     measure what a proxy adds to each token
 * @param ignoreMaxTokens stream the whole completion whatever the request's {@code max_tokens} says
 *     (a provider that overruns; by default the mock stops at the bound with {@code length})
 * @param usageFactor the completion tokens reported are the ones sent times this (below 1: a
 *     provider that under-reports)
 */
public record MockBehaviour(
    int status,
    int retryAfterSeconds,
    long firstByteDelayMs,
    int tokens,
    double tokensPerSecond,
    int abortAfter,
    int malformedAfter,
    int tokenSize,
    boolean stamp,
    boolean ignoreMaxTokens,
    double usageFactor) {

  public static MockBehaviour defaults(MockConfig config) {
    return new MockBehaviour(200, 1, config.firstByteDelay().toMillis(), config.tokens(),
        config.tokensPerSecond(), -1, -1, 0, false, false, 1.0);
  }

  /** The model name without directives. */
  public static String baseModel(String model) {
    int at = model.indexOf('@');
    return at < 0 ? model : model.substring(0, at);
  }

  /** The completion tokens to report for {@code sent} tokens sent. */
  public int reported(int sent) {
    return (int) Math.round(sent * usageFactor);
  }

  /**
   * Applies the directives in {@code model} ({@code status}, {@code retry_after}, {@code ttfb},
   * {@code tokens}, {@code rate}, {@code abort_after}, {@code malformed_after}, {@code token_size},
   * {@code stamp}, {@code ignore_max_tokens}, {@code usage_factor}); unknown or malformed directives
   * are ignored.
   */
  public MockBehaviour with(String model) {
    int at = model.indexOf('@');
    if (at < 0) {
      return this;
    }
    int status = this.status;
    int retryAfter = retryAfterSeconds;
    long ttfb = firstByteDelayMs;
    int tokens = this.tokens;
    double rate = tokensPerSecond;
    int abort = abortAfter;
    int malformed = malformedAfter;
    int size = tokenSize;
    boolean stamp = this.stamp;
    boolean overrun = ignoreMaxTokens;
    double factor = usageFactor;
    for (String directive : model.substring(at + 1).split("[;&,]")) {
      int eq = directive.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = directive.substring(0, eq).trim();
      String value = directive.substring(eq + 1).trim();
      try {
        switch (key) {
          case "status" -> status = Integer.parseInt(value);
          case "retry_after" -> retryAfter = Integer.parseInt(value);
          case "ttfb" -> ttfb = Long.parseLong(value);
          case "tokens" -> tokens = Integer.parseInt(value);
          case "rate" -> rate = Double.parseDouble(value);
          case "abort_after" -> abort = Integer.parseInt(value);
          case "malformed_after" -> malformed = Integer.parseInt(value);
          case "token_size" -> size = Integer.parseInt(value);
          case "stamp" -> stamp = "1".equals(value);
          case "ignore_max_tokens" -> overrun = "1".equals(value);
          case "usage_factor" -> factor = Double.parseDouble(value);
          default -> { }
        }
      } catch (NumberFormatException e) {
        // a directive that does not parse is ignored: the mock must never fail on its own input
      }
    }
    return new MockBehaviour(status, retryAfter, ttfb, tokens, rate, abort, malformed, size, stamp, overrun, factor);
  }
}
