package io.portcullis.e2e;

import static io.portcullis.e2e.ApiTest.assertError;
import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static io.portcullis.e2e.GatewayFixture.openAiText;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.mock.MockStats;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Gemini provider ({@code type: gemini}) behind each client format: chat completions, the
 * Responses API and Anthropic Messages, whole and streamed (SSE with {@code alt=sse}), function
 * calls both ways, embeddings through {@code batchEmbedContents}, the key in {@code x-goog-api-key},
 * no field Gemini does not define (the mock refuses unknown fields, as Google's APIs do).
 */
class GeminiTest {

  static GatewayFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        scrub: {enabled: true}
        providers:
          - {name: gemini, type: gemini, base_url: "${MOCK_URL}", api_keys: [key-gemini]}
          - {name: gpt, type: openai, base_url: "${MOCK_URL}", api_keys: [key-openai]}
        models:
          - {name: gem, targets: [{provider: gemini, model: gemini-2.0-flash}]}
          - {name: gem-broken, targets: [{provider: gemini, model: "gemini-2.0-flash@abort_after=3;tokens=20"}]}
          - {name: gem-400, targets: [{provider: gemini, model: "gemini-2.0-flash@status=400"}]}
          - name: gem-then-gpt
            targets: [{provider: gemini, model: "gemini-2.0-flash@status=429"}, {provider: gpt, model: gpt-up}]
          - {name: gem-embed, endpoints: [embeddings], targets: [{provider: gemini, model: text-embedding-004}]}
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

  static final Map<String, String> ANTHROPIC = Map.of("anthropic-version", "2023-06-01");

  @Test
  void chatCompletionsWholeAndStreamed() throws Exception {
    String body = "{\"model\":\"gem\",\"max_tokens\":50,\"temperature\":0.3,\"stop\":[\"END\"],\"messages\":["
        + "{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"/echo bonjour, ünïcødé 日本\"}]}";
    HttpResponse<String> res = f.post("/v1/chat/completions", body);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(res.body());
    JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("bonjour, ünïcødé 日本");
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(answer.getJsonObject("usage").getLong("completion_tokens")).isPositive();
    assertThat(answer.getString("model")).isEqualTo("gemini-2.0-flash");
    MockStats.Seen seen = f.mock.last();
    assertThat(seen.path()).isEqualTo("/v1/models/gemini-2.0-flash:generateContent");
    assertThat(seen.headers().get("x-goog-api-key")).isEqualTo("key-gemini");
    assertThat(seen.headers().get("authorization")).isNull();
    JsonObject sent = new JsonObject(seen.body());
    assertThat(sent.fieldNames()).containsExactlyInAnyOrder("contents", "systemInstruction", "generationConfig");
    assertThat(sent.getJsonObject("systemInstruction").getJsonArray("parts").getJsonObject(0).getString("text")).isEqualTo("be brief");
    assertThat(sent.getJsonObject("generationConfig")).isEqualTo(new JsonObject().put("maxOutputTokens", 50)
        .put("temperature", 0.3).put("stopSequences", new JsonArray().add("END")));

    HttpResponse<String> stream = f.post("/v1/chat/completions", body.replace("\"max_tokens\":50", "\"max_tokens\":50,\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true}"));
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(f.mock.last().path()).isEqualTo("/v1/models/gemini-2.0-flash:streamGenerateContent");
    List<SseEvent> events = events(stream.body());
    assertThat(openAiText(events)).isEqualTo("bonjour, ünïcødé 日本");
    assertThat(events.get(events.size() - 1).isDone()).isTrue();
    JsonObject usage = new JsonObject(events.get(events.size() - 2).data());
    assertThat(usage.getJsonObject("usage").getLong("completion_tokens")).isPositive();
    JsonObject finish = new JsonObject(events.get(events.size() - 3).data());
    assertThat(finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    // the bound: Gemini's MAX_TOKENS is chat's length
    JsonObject cut = new JsonObject(f.post("/v1/chat/completions", chat("gem", false, "/echo a b c d e f g h").replace("}]", "}],\"max_tokens\":2")).body());
    assertThat(cut.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
  }

  @Test
  void functionCallsAndTheirResults() throws Exception {
    String args = "{\"city\":\"Lima\",\"days\":4}";
    String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"required\"";
    for (boolean stream : new boolean[] {false, true}) {
      String body = "{\"model\":\"gem\",\"stream\":" + stream + "," + tools + ",\"messages\":[{\"role\":\"user\",\"content\":"
          + io.vertx.core.json.Json.encode("/tool " + args) + "}]}";
      HttpResponse<String> res = f.post("/v1/chat/completions", body);
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      JsonObject call;
      String finish;
      if (stream) {
        List<SseEvent> events = events(res.body());
        JsonObject delta = events.stream().filter(e -> e.data().contains("tool_calls")).map(e -> new JsonObject(e.data())
            .getJsonArray("choices").getJsonObject(0).getJsonObject("delta")).findFirst().orElseThrow();
        call = delta.getJsonArray("tool_calls").getJsonObject(0);
        assertThat(call.getInteger("index")).isZero();
        finish = new JsonObject(events.get(events.size() - 2).data()).getJsonArray("choices").getJsonObject(0).getString("finish_reason");
      } else {
        JsonObject choice = new JsonObject(res.body()).getJsonArray("choices").getJsonObject(0);
        call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
        finish = choice.getString("finish_reason");
      }
      assertThat(call.getJsonObject("function").getString("name")).isEqualTo("lookup");
      assertThat(new JsonObject(call.getJsonObject("function").getString("arguments"))).isEqualTo(new JsonObject(args));
      assertThat(finish).isEqualTo("tool_calls");
    }
    JsonObject sent = new JsonObject(f.mock.last().body());
    assertThat(sent.getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations").getJsonObject(0))
        .isEqualTo(new JsonObject().put("name", "lookup").put("parametersJsonSchema", new JsonObject().put("type", "object")));
    assertThat(sent.getJsonObject("toolConfig")).isEqualTo(new JsonObject().put("functionCallingConfig", new JsonObject().put("mode", "ANY")));
    // the result goes back as a functionResponse that names the function
    String followUp = "{\"model\":\"gem\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_7\",\"content\":\"{\\\"sky\\\":\\\"grey\\\"}\"},{\"role\":\"user\",\"content\":\"/echo thanks\"}]}";
    assertThat(f.post("/v1/chat/completions", followUp).statusCode()).isEqualTo(200);
    JsonArray contents = new JsonObject(f.mock.last().body()).getJsonArray("contents");
    assertThat(contents.getJsonObject(1)).isEqualTo(new JsonObject().put("role", "model").put("parts", new JsonArray()
        .add(new JsonObject().put("functionCall", new JsonObject().put("name", "lookup").put("args", new JsonObject())))));
    assertThat(contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0)).isEqualTo(new JsonObject().put("functionResponse",
        new JsonObject().put("name", "lookup").put("response", new JsonObject().put("sky", "grey"))));
    // a tool message whose call is unknown cannot name its function
    assertError(f.post("/v1/chat/completions", followUp.replace("\"tool_call_id\":\"call_7\"", "\"tool_call_id\":\"call_8\"")),
        400, "unsupported_by_provider");
  }

  @Test
  void messagesAndResponsesFromGemini() throws Exception {
    String msgs = "{\"model\":\"gem\",\"max_tokens\":100,\"stream\":STREAM,\"messages\":[{\"role\":\"user\",\"content\":\"/echo through two translations\"}]}";
    JsonObject whole = new JsonObject(f.post("/v1/messages", msgs.replace("STREAM", "false"), ANTHROPIC).body());
    assertThat(whole.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("through two translations");
    assertThat(whole.getString("stop_reason")).isEqualTo("end_turn");
    List<SseEvent> events = events(f.post("/v1/messages", msgs.replace("STREAM", "true"), ANTHROPIC).body());
    assertThat(events.stream().map(SseEvent::type).toList()).startsWith("message_start").endsWith("message_delta", "message_stop");
    assertThat(TranslationTest.anthropicText(events, "text_delta", "text")).isEqualTo("through two translations");
    assertThat(new JsonObject(events.get(events.size() - 2).data()).getJsonObject("usage").getLong("output_tokens")).isPositive();

    String resp = "{\"model\":\"gem\",\"stream\":STREAM,\"input\":\"/echo typed events from gemini\"}";
    JsonObject response = new JsonObject(f.post("/v1/responses", resp.replace("STREAM", "false")).body());
    assertThat(ResponsesTest.outputText(response)).isEqualTo("typed events from gemini");
    ResponsesTest.Streamed s = ResponsesTest.streamed(f.post("/v1/responses", resp.replace("STREAM", "true")).body());
    assertThat(s.text()).isEqualTo("typed events from gemini");
    assertThat(s.types()).startsWith("response.created").endsWith("response.completed");
    assertThat(s.last().getJsonObject("response").getJsonObject("usage").getLong("output_tokens")).isPositive();
  }

  @Test
  void embeddingsThroughBatchEmbedContents() throws Exception {
    HttpResponse<String> res = f.post("/v1/embeddings", "{\"model\":\"gem-embed\",\"input\":[\"a b\",\"c\"],\"dimensions\":8}");
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonObject list = new JsonObject(res.body());
    assertThat(list.getString("object")).isEqualTo("list");
    assertThat(list.getJsonArray("data")).hasSize(2);
    JsonArray first = list.getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
    assertThat(first).isNotEmpty();
    MockStats.Seen seen = f.mock.last();
    assertThat(seen.path()).isEqualTo("/v1/models/text-embedding-004:batchEmbedContents");
    JsonObject request = new JsonObject(seen.body()).getJsonArray("requests").getJsonObject(0);
    assertThat(request.getString("model")).isEqualTo("models/text-embedding-004");
    assertThat(request.getInteger("outputDimensionality")).isEqualTo(8);
    // base64, as OpenAI's SDKs ask by default: little-endian float32 of the same vector
    JsonObject b64 = new JsonObject(f.post("/v1/embeddings", "{\"model\":\"gem-embed\",\"input\":[\"a b\",\"c\"],\"dimensions\":8,"
        + "\"encoding_format\":\"base64\"}").body());
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.getJsonArray("data").getJsonObject(0).getString("embedding")))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < first.size(); i++) {
      assertThat(bytes.getFloat()).isEqualTo(first.getNumber(i).floatValue());
    }
    assertError(f.post("/v1/embeddings", "{\"model\":\"gem-embed\",\"input\":[[1,2,3]]}"), 400, "unsupported_by_provider");
  }

  @Test
  void errorsBreaksFailoverAndRedaction() throws Exception {
    HttpResponse<String> err = f.post("/v1/chat/completions", chat("gem-400", false, "x"));
    assertThat(err.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(err.body()).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    HttpResponse<String> msgErr = f.post("/v1/messages", "{\"model\":\"gem-400\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", ANTHROPIC);
    assertThat(new JsonObject(msgErr.body()).getString("type")).isEqualTo("error");

    List<SseEvent> broken = events(f.post("/v1/chat/completions", chat("gem-broken", true, "hi")).body());
    assertThat(new JsonObject(broken.get(broken.size() - 1).data()).getJsonObject("error").getString("code")).isEqualTo("upstream_aborted");
    assertThat(broken).noneMatch(SseEvent::isDone);

    HttpResponse<String> over = f.post("/v1/chat/completions", chat("gem-then-gpt", true, "/echo from the second"));
    assertThat(openAiText(events(over.body()))).isEqualTo("from the second");
    assertThat(f.mock.seen().subList(f.mock.seen().size() - 2, f.mock.seen().size())).extracting(MockStats.Seen::path)
        .containsExactly("/v1/models/gemini-2.0-flash%40status%3D429:streamGenerateContent", "/v1/chat/completions");

    String raw = f.post("/v1/chat/completions", chat("gem", true, "/echo key AKIAZ7Q3XKJHGF5RT2WB mail jane.doe@example.com.")).body();
    assertThat(raw).doesNotContain("AKIAZ7Q3XKJHGF5RT2WB").doesNotContain("jane.doe@example.com");
    assertThat(openAiText(events(raw))).isEqualTo("key [REDACTED:aws_access_key] mail [REDACTED:email].");
  }

  @Test
  void limitsSettleFromGeminisUsageWholeAndStreamed() throws Exception {
    String config = ChargedUsage.config(100000, Map.of("gemini", "type: gemini, base_url: \"${MOCK_URL}\""));
    for (boolean stream : new boolean[] {true, false}) {
      ChargedUsage.assertSettledFromTheReport(config, "/v1/chat/completions", "gemini", model -> chat(model, stream, "hi"));
      ChargedUsage.assertSettledFromTheReport(config, "/v1/messages", "gemini", model -> "{\"model\":\"" + model
          + "\",\"max_tokens\":100,\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      ChargedUsage.assertSettledFromTheReport(config, "/v1/responses", "gemini", model -> "{\"model\":\"" + model
          + "\",\"stream\":" + stream + ",\"input\":\"hi\"}");
    }
  }
}
