package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static io.portcullis.e2e.GatewayFixture.openAiText;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.mock.MockStats;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client-facing API end to end: formats, headers, credentials and every bad-input error. */
class ApiTest {

  static GatewayFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1, max_body_size: 64KiB}
        admin: {host: 127.0.0.1, port: 0}
        providers:
          - name: mock
            type: openai
            base_url: ${MOCK_URL}
            api_keys: [provider-key-one, provider-key-two]
          - name: claude
            type: anthropic
            base_url: ${MOCK_URL}
            api_keys: [provider-key-anthropic]
        models:
          - name: chat
            targets: [{provider: mock, model: upstream-chat-2024}]
          - name: claude
            targets: [{provider: claude, model: claude-upstream}]
          - name: embed
            endpoints: [embeddings]
            targets: [{provider: mock, model: embed-upstream}]
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

  @Test
  void streamsAnOpenAiChatCompletion() throws Exception {
    String secret = "the quick brown fox jumps over the lazy dog 0123456789 ünïcødé 日本 \uD83D\uDE00";
    HttpResponse<String> res = f.post("/v1/chat/completions",
        "{\"model\":\"chat\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"/echo " + secret + "\"}]}");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    assertThat(res.headers().firstValue("x-accel-buffering")).hasValue("no");
    assertThat(res.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(res.headers().firstValue("content-encoding")).isEmpty();
    assertThat(res.headers().firstValue("x-request-id")).isPresent();
    List<SseEvent> events = events(res.body());
    assertThat(openAiText(events)).isEqualTo(secret);
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
    JsonObject usage = new JsonObject(events.get(events.size() - 2).data());
    assertThat(usage.getJsonObject("usage").getInteger("completion_tokens")).isPositive();
    JsonObject first = new JsonObject(events.get(0).data());
    assertThat(first.getString("model")).isEqualTo("upstream-chat-2024");
    assertThat(new JsonObject(f.mock.last().body()).getString("model")).isEqualTo("upstream-chat-2024");
  }

  @Test
  void streamsAnAnthropicMessage() throws Exception {
    HttpResponse<String> res = f.post("/v1/messages",
        "{\"model\":\"claude\",\"stream\":true,\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"/echo bonjour le monde\"}]}",
        Map.of("anthropic-version", "2023-06-01", "anthropic-beta", "tools-2024"));
    assertThat(res.statusCode()).isEqualTo(200);
    List<SseEvent> events = events(res.body());
    assertThat(events.stream().map(SseEvent::type).toList()).startsWith("message_start", "content_block_start", "ping")
        .endsWith("content_block_stop", "message_delta", "message_stop");
    StringBuilder text = new StringBuilder();
    for (SseEvent e : events) {
      if ("content_block_delta".equals(e.type())) {
        text.append(new JsonObject(e.data()).getJsonObject("delta").getString("text"));
      }
    }
    assertThat(text.toString()).isEqualTo("bonjour le monde");
    MockStats.Seen seen = f.mock.last();
    assertThat(seen.headers().get("x-api-key")).isEqualTo("provider-key-anthropic");
    assertThat(seen.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(seen.headers().get("anthropic-beta")).isEqualTo("tools-2024");
    assertThat(seen.path()).isEqualTo("/v1/messages");
  }

  @Test
  void modelsAreOfferedOnlyOnTheEndpointsTheyDeclare() throws Exception {
    int before = f.mock.seen().size();
    HttpResponse<String> embedOnChat = f.post("/v1/chat/completions", chat("embed", false, "hi"));
    assertError(embedOnChat, 404, "model_not_supported");
    assertThat(embedOnChat.body()).contains("/v1/embeddings");
    assertError(f.post("/v1/messages", "{\"model\":\"embed\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        404, "model_not_supported");
    assertError(f.post("/v1/embeddings", "{\"model\":\"chat\",\"input\":\"x\"}"), 404, "model_not_supported");
    assertThat(f.mock.seen()).hasSize(before);
  }

  @Test
  void errorsOnTheMessagesApiComeInAnthropicsShape() throws Exception {
    // refused at each stage: parsing, validation, routing; the shape is asserted by assertError
    assertError(f.post("/v1/messages", "{not json"), 400, "invalid_json");
    assertError(f.post("/v1/messages", "{\"model\":\"claude\",\"max_tokens\":5}"), 400, "invalid_body");
    HttpResponse<String> unknown = f.post("/v1/messages",
        "{\"model\":\"nope\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertError(unknown, 404, "model_not_found");
    assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    // the same refusal on the OpenAI API keeps OpenAI's shape
    assertError(f.post("/v1/chat/completions", chat("nope", false, "x")), 404, "model_not_found");
  }

  @Test
  void answersNonStreamingRequests() throws Exception {
    HttpResponse<String> chat = f.post("/v1/chat/completions", chat("chat", false, "/echo plain answer"));
    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(chat.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(new JsonObject(chat.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo("plain answer");

    HttpResponse<String> embed = f.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"a b\",\"c\"]}");
    assertThat(embed.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(embed.body()).getJsonArray("data")).hasSize(2);
    assertThat(f.mock.last().path()).isEqualTo("/v1/embeddings");

    HttpResponse<String> msg = f.post("/v1/messages",
        "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"/echo hi\"}]}");
    assertThat(msg.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(msg.body()).getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("hi");
  }

  @Test
  void listsModels() throws Exception {
    HttpResponse<String> res = f.get("/v1/models");
    assertThat(res.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(res.body());
    assertThat(body.getString("object")).isEqualTo("list");
    assertThat(body.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .containsExactly("chat", "claude", "embed");
  }

  @Test
  void neverForwardsTheClientCredentialAndRotatesProviderKeys() throws Exception {
    String clientKey = "client-secret-" + System.nanoTime();
    f.post("/v1/chat/completions", chat("chat", false, "hi"), Map.of("authorization", "Bearer " + clientKey,
        "cookie", "session=" + clientKey, "x-api-key", clientKey));
    f.post("/v1/chat/completions", chat("chat", false, "hi"), Map.of("authorization", "Bearer " + clientKey));
    List<MockStats.Seen> seen = f.mock.seen();
    assertThat(seen).hasSize(2);
    for (MockStats.Seen s : seen) {
      s.headers().forEach(h -> assertThat(h.getValue()).doesNotContain(clientKey));
      assertThat(s.body()).doesNotContain(clientKey);
    }
    assertThat(seen.stream().map(s -> s.headers().get("authorization")).toList())
        .containsExactlyInAnyOrder("Bearer provider-key-one", "Bearer provider-key-two");
  }

  @Test
  void providerKeysNeverReachTheClient() throws Exception {
    for (String body : List.of(chat("chat", true, "hi"), chat("chat", false, "hi"), chat("nope", false, "hi"))) {
      HttpResponse<String> res = f.post("/v1/chat/completions", body);
      assertThat(res.body()).doesNotContain("provider-key");
      res.headers().map().values().forEach(v -> assertThat(v.toString()).doesNotContain("provider-key"));
    }
  }

  @Test
  void refusesBadInputWithClearErrors() throws Exception {
    assertError(f.post("/v1/chat/completions", "{\"model\": \"chat\", "), 400, "invalid_json");
    assertError(f.post("/v1/chat/completions", "[1,2]"), 400, "invalid_body");
    assertError(f.post("/v1/chat/completions", ""), 400, "invalid_body");
    assertError(f.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400, "missing_model");
    assertError(f.post("/v1/chat/completions", "{\"model\":\"chat\",\"stream\":\"yes\",\"messages\":[{}]}"), 400, "invalid_stream");
    assertError(f.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[]}"), 400, "invalid_body");
    assertError(f.post("/v1/embeddings", "{\"model\":\"embed\",\"stream\":true,\"input\":\"x\"}"), 400, "invalid_stream");
    assertError(f.post("/v1/chat/completions", chat("no-such-model", true, "x")), 404, "model_not_found");
    assertError(f.post("/v1/nothing/here", "{}"), 404, "unknown_path");
    assertError(f.get("/v1/chat/completions"), 405, "method_not_allowed");
    assertThat(f.mock.seen()).isEmpty();
  }

  @Test
  void refusesBodiesOverTheLimitWhileReading() throws Exception {
    String big = chat("chat", false, "x".repeat(70 * 1024));
    assertError(f.post("/v1/chat/completions", big), 413, "request_too_large");
    // without a Content-Length, the limit applies as the body arrives
    HttpRequest chunked = HttpRequest.newBuilder(f.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
        .build();
    assertError(f.http.send(chunked, HttpResponse.BodyHandlers.ofString()), 413, "request_too_large");
    assertThat(f.mock.seen()).isEmpty();
    // just under the limit passes
    assertThat(f.post("/v1/chat/completions", chat("chat", false, "x".repeat(60 * 1024))).statusCode()).isEqualTo(200);
  }

  /**
   * An error in the shape of the API called: Anthropic's on {@code /v1/messages}, OpenAI's
   * elsewhere; the gateway's code is in the body (OpenAI) and always in {@code x-portcullis-error}.
   */
  static void assertError(HttpResponse<String> res, int status, String code) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(res.headers().firstValue("x-portcullis-error")).hasValue(code);
    JsonObject body = new JsonObject(res.body());
    JsonObject error = body.getJsonObject("error");
    if (res.request().uri().getPath().equals("/v1/messages")) {
      assertThat(body.getString("type")).as(res.body()).isEqualTo("error");
      assertThat(error.fieldNames()).containsExactlyInAnyOrder("type", "message");
      assertThat(error.getString("type")).isEqualTo(ANTHROPIC_TYPES.get(status));
    } else {
      assertThat(error.getString("code")).as(res.body()).isEqualTo(code);
    }
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("type")).isNotBlank();
    assertThat(res.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  /** Anthropic's error type by status, from its API reference. */
  static final Map<Integer, String> ANTHROPIC_TYPES = Map.of(400, "invalid_request_error", 401, "authentication_error",
      403, "permission_error", 404, "not_found_error", 413, "request_too_large", 429, "rate_limit_error",
      500, "api_error", 502, "api_error", 503, "overloaded_error", 504, "api_error");
}
