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
    boolean stamp) {

  public static MockBehaviour defaults(MockConfig config) {
    return new MockBehaviour(200, 1, config.firstByteDelay().toMillis(), config.tokens(),
        config.tokensPerSecond(), -1, -1, 0, false);
  }

  /** The model name without directives. */
  public static String baseModel(String model) {
    int at = model.indexOf('@');
    return at < 0 ? model : model.substring(0, at);
  }

  /** Applies the directives in {@code model}; unknown or malformed directives are ignored. */
  public MockBehaviour with(String model) {
    int at = model.indexOf('@');
    if (at < 0) {
      return this;
    }
    MockBehaviour b = this;
    for (String directive : model.substring(at + 1).split("[;&,]")) {
      int eq = directive.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = directive.substring(0, eq).trim();
      String value = directive.substring(eq + 1).trim();
      try {
        b = switch (key) {
          case "status" -> new MockBehaviour(Integer.parseInt(value), b.retryAfterSeconds, b.firstByteDelayMs,
              b.tokens, b.tokensPerSecond, b.abortAfter, b.malformedAfter, b.tokenSize, b.stamp);
          case "retry_after" -> new MockBehaviour(b.status, Integer.parseInt(value), b.firstByteDelayMs,
              b.tokens, b.tokensPerSecond, b.abortAfter, b.malformedAfter, b.tokenSize, b.stamp);
          case "ttfb" -> new MockBehaviour(b.status, b.retryAfterSeconds, Long.parseLong(value),
              b.tokens, b.tokensPerSecond, b.abortAfter, b.malformedAfter, b.tokenSize, b.stamp);
          case "tokens" -> new MockBehaviour(b.status, b.retryAfterSeconds, b.firstByteDelayMs,
              Integer.parseInt(value), b.tokensPerSecond, b.abortAfter, b.malformedAfter, b.tokenSize, b.stamp);
          case "rate" -> new MockBehaviour(b.status, b.retryAfterSeconds, b.firstByteDelayMs,
              b.tokens, Double.parseDouble(value), b.abortAfter, b.malformedAfter, b.tokenSize, b.stamp);
          case "abort_after" -> new MockBehaviour(b.status, b.retryAfterSeconds, b.firstByteDelayMs,
              b.tokens, b.tokensPerSecond, Integer.parseInt(value), b.malformedAfter, b.tokenSize, b.stamp);
          case "malformed_after" -> new MockBehaviour(b.status, b.retryAfterSeconds, b.firstByteDelayMs,
              b.tokens, b.tokensPerSecond, b.abortAfter, Integer.parseInt(value), b.tokenSize, b.stamp);
          case "token_size" -> new MockBehaviour(b.status, b.retryAfterSeconds, b.firstByteDelayMs,
              b.tokens, b.tokensPerSecond, b.abortAfter, b.malformedAfter, Integer.parseInt(value), b.stamp);
          case "stamp" -> new MockBehaviour(b.status, b.retryAfterSeconds, b.firstByteDelayMs,
              b.tokens, b.tokensPerSecond, b.abortAfter, b.malformedAfter, b.tokenSize, "1".equals(value));
          default -> b;
        };
      } catch (NumberFormatException e) {
        // a directive that does not parse is ignored: the mock must never fail on its own input
      }
    }
    return b;
  }
}
