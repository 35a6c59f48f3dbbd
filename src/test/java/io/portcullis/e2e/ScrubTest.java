package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.scrub.Scrubber;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redaction end to end: the mock streams secrets cut into 1-4 character tokens. */
class ScrubTest {

  static final String SECRETS = "key AKIAZ7Q3XKJHGF5RT2WB, mail jane.doe@example.com, card 4111 1111 1111 1111, "
      + "token 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 and the rest is fine.";
  static final String EXPECTED = Scrubber.builtIn(512).scrub(SECRETS);

  static GatewayFixture f;

  static String config(String requestAction) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        scrub: {enabled: true, max_hold: 512, request_action: ACTION}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
          - {name: claude, type: anthropic, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
          - {name: claude, targets: [{provider: claude, model: c}]}
        """.replace("ACTION", requestAction);
  }

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture(config("off"));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void scrubsOpenAiStreamsWithMetadataIntact() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", "{\"model\":\"chat\",\"stream\":true,\"n\":2,"
        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"/echo " + SECRETS + "\"}]}");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("x-portcullis-scrub")).hasValueSatisfying(v -> assertThat(v).startsWith("on; rules="));
    assertThat(EXPECTED).contains("[REDACTED:aws_access_key]").contains("[REDACTED:email]")
        .contains("[REDACTED:card_number]").contains("[REDACTED:github_token]");
    List<SseEvent> events = events(res.body());
    StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
    boolean[] finished = new boolean[2];
    String id = null;
    for (SseEvent e : events) {
      if (e.isDone()) {
        continue;
      }
      JsonObject chunk = new JsonObject(e.data()); // every event is valid JSON on its own
      id = id == null ? chunk.getString("id") : id;
      assertThat(chunk.getString("id")).isEqualTo(id);
      assertThat(chunk.getString("model")).isEqualTo("m");
      assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
      for (Object o : chunk.getJsonArray("choices")) {
        JsonObject choice = (JsonObject) o;
        int i = choice.getInteger("index");
        String content = choice.getJsonObject("delta").getString("content");
        // while text is held back no event goes out that carries nothing new
        assertThat(choice.getString("finish_reason") != null || choice.getJsonObject("delta").containsKey("role")
            || (content != null && !content.isEmpty()) || chunk.getValue("usage") != null).as(e.data()).isTrue();
        if (content != null) {
          assertThat(finished[i]).as("text after the finish chunk of choice %d", i).isFalse();
          text[i].append(content);
        }
        if (choice.getString("finish_reason") != null) {
          assertThat(choice.getString("finish_reason")).isEqualTo("stop");
          finished[i] = true;
        }
      }
    }
    assertThat(text[0].toString()).isEqualTo(EXPECTED);
    assertThat(text[1].toString()).isEqualTo(EXPECTED);
    assertThat(finished).containsExactly(true, true);
    assertThat(events.get(events.size() - 1).isDone()).isTrue();
    JsonObject usage = new JsonObject(events.get(events.size() - 2).data());
    assertThat(usage.getJsonObject("usage").getInteger("total_tokens")).isPositive();
    assertThat(res.body()).doesNotContain("AKIAZ7Q3").doesNotContain("jane.doe@").doesNotContain("4111 1111");
    assertThat(f.gateway.scrubMetrics().redactionsByRule()).containsKeys("aws_access_key", "email", "card_number", "github_token");
  }

  @Test
  void scrubsToolCallArguments() throws Exception {
    String args = "{\\\"q\\\": \\\"" + "contact jane.doe@example.com now" + "\\\"}";
    HttpResponse<String> res = f.post("/v1/chat/completions",
        "{\"model\":\"chat\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"/tool " + args + "\"}]}");
    StringBuilder arguments = new StringBuilder();
    String callId = null;
    for (SseEvent e : events(res.body())) {
      if (e.isDone()) {
        continue;
      }
      JsonObject delta = new JsonObject(e.data()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
      JsonArray calls = delta.getJsonArray("tool_calls");
      if (calls != null) {
        JsonObject call = calls.getJsonObject(0);
        callId = callId == null ? call.getString("id") : callId;
        arguments.append(call.getJsonObject("function").getString("arguments"));
      }
    }
    assertThat(callId).isEqualTo("call_mock1");
    assertThat(arguments.toString()).isEqualTo("{\"q\": \"contact [REDACTED:email] now\"}");
  }

  @Test
  void scrubsAnthropicStreams() throws Exception {
    HttpResponse<String> res = f.post("/v1/messages", "{\"model\":\"claude\",\"stream\":true,\"max_tokens\":1000,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"/echo " + SECRETS + "\"}]}");
    List<SseEvent> events = events(res.body());
    StringBuilder text = new StringBuilder();
    boolean stopped = false;
    for (SseEvent e : events) {
      JsonObject data = new JsonObject(e.data());
      assertThat(data.getString("type")).isEqualTo(e.type());
      if ("content_block_delta".equals(e.type())) {
        assertThat(stopped).isFalse();
        assertThat(data.getJsonObject("delta").getString("text")).as("a delta that carries nothing").isNotEmpty();
        text.append(data.getJsonObject("delta").getString("text"));
      }
      stopped |= "content_block_stop".equals(e.type());
    }
    assertThat(text.toString()).isEqualTo(EXPECTED);
    assertThat(events.get(events.size() - 1).type()).isEqualTo("message_stop");
  }

  @Test
  void scrubsWholeResponses() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("chat", false, "/echo " + SECRETS));
    assertThat(new JsonObject(res.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo(EXPECTED);
    assertThat(res.headers().firstValue("x-portcullis-scrub")).isPresent();
  }

  @Test
  void redactsOrRejectsSecretsInRequests() throws Exception {
    try (GatewayFixture redact = new GatewayFixture(config("redact"))) {
      HttpResponse<String> res = redact.post("/v1/chat/completions", chat("chat", false, "my key AKIAZ7Q3XKJHGF5RT2WB"));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(redact.mock.last().body()).contains("my key [REDACTED:aws_access_key]").doesNotContain("AKIAZ7Q3");
      assertThat(new JsonObject(redact.mock.last().body()).getString("model")).isEqualTo("m");
    }
    try (GatewayFixture reject = new GatewayFixture(config("reject"))) {
      HttpResponse<String> res = reject.post("/v1/chat/completions", chat("chat", true, "mail jane@example.com please"));
      ApiTest.assertError(res, 400, "sensitive_data_in_request");
      assertThat(res.body()).contains("email").doesNotContain("jane@example.com");
      assertThat(reject.mock.seen()).isEmpty();
      assertThat(reject.post("/v1/chat/completions", chat("chat", false, "nothing secret")).statusCode()).isEqualTo(200);
    }
    // per rule: keys refuse the request, emails pass as they are, everything else is redacted
    String perRule = config("redact").replace("request_action: redact}",
        "request_action: redact, rules: {aws_access_key: {request_action: reject}, email: {request_action: off}}}");
    try (GatewayFixture mixed = new GatewayFixture(perRule)) {
      HttpResponse<String> res = mixed.post("/v1/chat/completions", chat("chat", false, "mail a@b.io from 10.0.0.1"));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(mixed.mock.last().body()).contains("mail a@b.io from [REDACTED:ipv4]");
      res = mixed.post("/v1/chat/completions", chat("chat", false, "mail a@b.io key AKIAZ7Q3XKJHGF5RT2WB"));
      ApiTest.assertError(res, 400, "sensitive_data_in_request");
      assertThat(res.body()).contains("aws_access_key").doesNotContain("AKIAZ7Q3");
      assertThat(mixed.mock.seen()).hasSize(1);
    }
  }
}
