package io.portcullis.e2e;

import static io.portcullis.e2e.ApiTest.assertError;
import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static io.portcullis.e2e.GatewayFixture.openAiText;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.mock.MockStats;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Targets are tried in order while nothing has reached the client, and never after. */
class FailoverTest {

  static GatewayFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        providers:
          - name: mock
            base_url: ${MOCK_URL}
            api_keys: [k]
            timeouts: {connect: 1s, first_byte: 400ms, idle: 2s, total: 20s}
          - name: dead
            base_url: ${DEAD_URL}
            timeouts: {connect: 1s}
        models:
          - name: after-500
            targets: [{provider: mock, model: "first@status=500"}, {provider: mock, model: second}]
          - name: after-429
            targets: [{provider: mock, model: "first@status=429"}, {provider: mock, model: second}]
          - name: after-refused
            targets: [{provider: dead, model: first}, {provider: mock, model: second}]
          - name: after-slow
            targets: [{provider: mock, model: "first@ttfb=3000"}, {provider: mock, model: second}]
          - name: all-500
            targets: [{provider: mock, model: "a@status=500"}, {provider: mock, model: "b@status=503"}]
          - name: all-429
            targets: [{provider: mock, model: "a@status=500"}, {provider: mock, model: "b@status=429;retry_after=7"}]
          - name: all-refused
            targets: [{provider: dead, model: a}]
          - name: all-slow
            targets: [{provider: mock, model: "a@ttfb=3000"}]
          - name: abort-then-fine
            targets: [{provider: mock, model: "a@abort_after=3;rate=0"}, {provider: mock, model: second}]
          - name: upstream-400
            targets: [{provider: mock, model: "a@status=400"}, {provider: mock, model: second}]
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @BeforeEach
  void clear() {
    f.mock.clear();
  }

  private static List<String> upstreamModels() {
    return f.mock.seen().stream().map(s -> new JsonObject(s.body()).getString("model")).toList();
  }

  @Test
  void failsOverBeforeTheFirstByte() throws Exception {
    for (String model : List.of("after-500", "after-429", "after-refused", "after-slow")) {
      for (boolean stream : List.of(true, false)) {
        f.mock.clear();
        HttpResponse<String> res = f.post("/v1/chat/completions", chat(model, stream, "/echo served"));
        assertThat(res.statusCode()).as(model).isEqualTo(200);
        String text = stream ? openAiText(events(res.body()))
            : new JsonObject(res.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
        assertThat(text).as(model).isEqualTo("served");
        List<String> tried = upstreamModels();
        assertThat(tried).as(model).endsWith("second");
        if (!model.equals("after-refused")) {
          assertThat(tried).as(model).hasSize(2);
        }
      }
    }
  }

  @Test
  void answersWithTheLastFailureWhenEveryTargetFails() throws Exception {
    assertError(f.post("/v1/chat/completions", chat("all-500", true, "x")), 502, "upstream_error");
    HttpResponse<String> limited = f.post("/v1/chat/completions", chat("all-429", false, "x"));
    assertError(limited, 429, "upstream_rate_limited");
    assertThat(limited.headers().firstValue("retry-after")).hasValue("7");
    assertError(f.post("/v1/chat/completions", chat("all-refused", true, "x")), 502, "upstream_unreachable");
    assertError(f.post("/v1/chat/completions", chat("all-slow", true, "x")), 504, "upstream_first_byte_timeout");
  }

  @Test
  void neverFailsOverOnceBytesReachedTheClient() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("abort-then-fine", true, "/echo 0123456789abcdef"));
    assertThat(res.statusCode()).isEqualTo(200);
    List<SseEvent> events = events(res.body());
    assertThat(upstreamModels()).containsExactly("a@abort_after=3;rate=0");
    SseEvent last = events.get(events.size() - 1);
    JsonObject error = new JsonObject(last.data()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("upstream_aborted");
    assertThat(events).noneMatch(e -> "[DONE]".equals(e.data()));
    assertThat(openAiText(events)).isNotEmpty().isEqualTo("0123456789abcdef".substring(0, openAiText(events).length()));
  }

  @Test
  void passesClientErrorsOfTheProviderThroughWithoutFailover() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("upstream-400", false, "x"));
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(res.body()).getJsonObject("error").getString("message")).contains("mock fault 400");
    assertThat(upstreamModels()).hasSize(1);
  }

  @Test
  void eachAttemptGetsTheBodyWithItsOwnUpstreamModel() throws Exception {
    f.post("/v1/chat/completions", chat("after-500", false, "hello"));
    List<MockStats.Seen> seen = f.mock.seen();
    assertThat(seen).hasSize(2);
    for (MockStats.Seen s : seen) {
      JsonObject body = new JsonObject(s.body());
      assertThat(body.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("hello");
    }
  }
}
