package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What a request cost in money, end to end: the provider's reported usage at the configured price of
 * the model the provider was asked for, in the access log ({@code cost_usd}) and in the metrics (per
 * provider and model), for a relayed and a translated answer.
 */
class SpendTest {

  /** Dollars per million tokens chosen so that a few tokens cost a readable amount. */
  static final double IN = 1000;
  static final double OUT = 2000;

  static String usd(double cost) {
    return BigDecimal.valueOf(cost).setScale(8, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  @Test
  void eachRequestCostsItsUsageAtItsModelsPrice() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Runnable restore = LogCanaryTest.capture(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (GatewayFixture f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        observe: {access_log: {enabled: true}}
        prices: {"up-*": {input: 1000, output: 2000, cached_input: 100}}
        providers:
          - {name: gpt, type: openai, base_url: "${MOCK_URL}"}
          - {name: claude, type: anthropic, base_url: "${MOCK_URL}"}
        models:
          - {name: relayed, targets: [{provider: gpt, model: up-gpt}]}
          - {name: translated, targets: [{provider: claude, model: up-claude}]}
          - {name: unpriced, targets: [{provider: gpt, model: nobody-prices-this}]}
        """)) {
      double total = 0;
      for (String model : new String[] {"relayed", "translated"}) {
        HttpResponse<String> res = f.post("/v1/chat/completions", chat(model, false, "/echo one two three four five"));
        assertThat(res.statusCode()).isEqualTo(200);
        JsonObject usage = new JsonObject(res.body()).getJsonObject("usage");
        double cost = (usage.getLong("prompt_tokens") * IN + usage.getLong("completion_tokens") * OUT) / 1e6;
        String id = res.headers().firstValue("x-request-id").orElseThrow();
        String line = waitForLine(captured, id);
        assertThat(line).as(line).contains("\"cost_usd\":" + usd(cost));
        total += cost;
        assertThat(f.metrics.registry().get("portcullis.cost.usd").tag("provider", model.equals("relayed") ? "gpt" : "claude")
            .tag("model", model).counter().count()).isCloseTo(cost, within(1e-9));
      }
      assertThat(total).isPositive();
      HttpResponse<String> unpriced = f.post("/v1/chat/completions", chat("unpriced", false, "/echo free"));
      String line = waitForLine(captured, unpriced.headers().firstValue("x-request-id").orElseThrow());
      assertThat(line).contains("\"tokens_out\":").doesNotContain("cost_usd");
    } finally {
      restore.run();
    }
  }

  static String waitForLine(ByteArrayOutputStream captured, String requestId) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L; // the appenders are asynchronous
    while (System.nanoTime() < deadline) {
      for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
        if (line.contains(requestId) && line.contains("\"status\"")) {
          return line;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no access line for " + requestId);
  }
}
