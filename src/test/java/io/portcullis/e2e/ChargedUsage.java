package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Function;

/**
 * Whether a token limit is settled from the usage a provider reports, whatever format carried it:
 * the same request to a model whose mock reports its tokens as sent ({@code <model>1}) and to one
 * that reports three times as many ({@code <model>3}, {@code usage_factor=3}), each on a fresh
 * gateway; the limit's remaining tokens after each differ by twice the tokens sent.
 */
final class ChargedUsage {

  /** Completion tokens each model sends. */
  static final int TOKENS = 50;

  private ChargedUsage() {}

  /**
   * A gateway with a token limit, and for each {@code name: provider-yaml} a provider and the two
   * models {@code name1} and {@code name3} on it (the config's own {@code mock} provider serves {@code chat}).
   */
  static String config(long limit, Map<String, String> providers) {
    StringBuilder p = new StringBuilder("providers:\n");
    StringBuilder m = new StringBuilder("models:\n");
    providers.forEach((name, provider) -> {
      if (!provider.isEmpty()) {
        p.append("  - {name: ").append(name).append(", ").append(provider).append("}\n");
      }
      m.append("  - {name: ").append(name).append("1, targets: [{provider: ").append(name)
          .append(", model: \"m@tokens=").append(TOKENS).append(";rate=0\"}]}\n");
      m.append("  - {name: ").append(name).append("3, targets: [{provider: ").append(name)
          .append(", model: \"m@tokens=").append(TOKENS).append(";rate=0;usage_factor=3\"}]}\n");
    });
    return LimitTest.withPolicy(LimitTest.config("{tokens: {limit: " + limit + ", window: 1m}}", null))
        .replace("providers:\n", p.toString()).replace("models:\n", m.toString());
  }

  /** The remaining tokens after {@code body(model)} to {@code path} on a fresh gateway. */
  static long remainingAfter(String config, String path, String body) throws Exception {
    try (GatewayFixture g = new GatewayFixture(config)) {
      HttpResponse<String> res = g.post(path, body, Map.of("anthropic-version", "2023-06-01"));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      Thread.sleep(100); // settled when the exchange ended
      HttpResponse<String> next = g.post("/v1/chat/completions", chat("chat", false, "hi").replace("}]", "}],\"max_tokens\":1"));
      return Long.parseLong(next.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
    }
  }

  /** Asserts that the over-reporting model was charged exactly its report: twice {@link #TOKENS} more. */
  static void assertSettledFromTheReport(String config, String path, String name, Function<String, String> body) throws Exception {
    long honest = remainingAfter(config, path, body.apply(name + "1"));
    long inflated = remainingAfter(config, path, body.apply(name + "3"));
    assertThat(honest - inflated).as(path + " " + body.apply(name)).isEqualTo(2L * TOKENS);
  }
}
