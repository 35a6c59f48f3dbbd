package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The warm-up pass before readiness: the whole pipeline ran, nothing reached a real provider, and the real config is back. */
class WarmupTest {

  static final String CONFIG = """
      server:
        host: 127.0.0.1
        port: 0
        instances: 2
        warmup: {enabled: true, duration: 1500ms, concurrency: 8}
      admin: {host: 127.0.0.1, port: 0}
      auth:
        enabled: true
        jwt: {secret: "a-secret-of-at-least-thirty-two-characters"}
        roles: [{name: chat, models: ["*"], limit: tight}]
        default_roles: [chat]
      limits:
        policies:
          tight: {requests: {limit: 10, window: 1m}}
      scrub: {enabled: true}
      providers:
        - {name: mock, base_url: "${MOCK_URL}"}
      models:
        - {name: chat, targets: [{provider: mock, model: m}]}
      """;

  static long count(String metrics, String route, String status) {
    Matcher m = Pattern.compile("portcullis_requests_seconds_count\\{route=\"" + route + "\",status=\"" + status + "\"} ([0-9.]+)")
        .matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void anInstanceIsReadyOnlyAfterAWarmUpThroughTheWholePipeline() throws Exception {
    long started = System.nanoTime();
    try (GatewayFixture f = new GatewayFixture(CONFIG)) {
      double tookS = (System.nanoTime() - started) / 1e9;
      assertThat(tookS).as("start to ready, warm-up included").isGreaterThanOrEqualTo(1.5);
      assertThat(f.getAdmin("/readyz").statusCode()).isEqualTo(200);
      String metrics = f.getAdmin("/metrics").body();
      // every kind of request went through, and every one was answered 2xx
      for (String route : new String[] {"chat_completions", "messages", "embeddings", "models"}) {
        assertThat(count(metrics, route, "2xx")).as(route).isPositive();
        assertThat(count(metrics, route, "4xx") + count(metrics, route, "5xx")).as(route).isZero();
      }
      assertThat(metrics).containsPattern("portcullis_redactions_total\\{rule=\"email\"} [1-9]");
      // none of it reached the configured provider
      assertThat(f.mock.requests.get()).isZero();
      // the real config is back: authentication on, the warm-up models gone
      ApiTest.assertError(f.post("/v1/chat/completions", chat("portcullis-warmup", false, "x")), 401, "missing_credentials");
      assertThat(f.gateway.snapshot().config().models()).extracting(m -> m.name()).containsExactly("chat");
    }
  }
}
