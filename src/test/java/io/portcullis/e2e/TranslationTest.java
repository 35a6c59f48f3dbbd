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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each client format served by the other provider type, end to end through the mock (which speaks
 * each provider's wire format exactly): what the provider was sent, what the client got, whole and
 * streamed, tool calls, refusals, the provider's errors and broken streams, in the client's format.
 */
class TranslationTest {

  static GatewayFixture f;
  static final Map<String, String> ANTHROPIC = Map.of("anthropic-version", "2023-06-01");

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        providers:
          - {name: gpt, type: openai, base_url: "${MOCK_URL}", api_keys: [key-openai]}
          - {name: claude, type: anthropic, base_url: "${MOCK_URL}", api_keys: [key-anthropic]}
        models:
          - {name: claude, targets: [{provider: claude, model: claude-up}]}
          - {name: gpt, targets: [{provider: gpt, model: gpt-up}]}
          - {name: claude-broken, targets: [{provider: claude, model: "claude-up@abort_after=3;tokens=20"}]}
          - {name: gpt-broken, targets: [{provider: gpt, model: "gpt-up@abort_after=3;tokens=20"}]}
          - {name: claude-400, targets: [{provider: claude, model: "claude-up@status=400"}]}
          - {name: gpt-400, targets: [{provider: gpt, model: "gpt-up@status=400"}]}
          - name: claude-then-gpt
            targets: [{provider: claude, model: "claude-up@status=503"}, {provider: gpt, model: gpt-up}]
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

  static String messages(String model, boolean stream, String text) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":200,\"stream\":" + stream + ",\"system\":\"be brief\","
        + "\"messages\":[{\"role\":\"user\",\"content\":" + io.vertx.core.json.Json.encode(text) + "}]}";
  }

  /** The concatenated text deltas and tool input of an Anthropic stream, and its event types. */
  static String anthropicText(List<SseEvent> events, String deltaType, String field) {
    StringBuilder text = new StringBuilder();
    for (SseEvent e : events) {
      if ("content_block_delta".equals(e.type())) {
        JsonObject delta = new JsonObject(e.data()).getJsonObject("delta");
        if (deltaType.equals(delta.getString("type"))) {
          text.append(delta.getString(field));
        }
      }
    }
    return text.toString();
  }

  // ---- chat completions served by Anthropic ----------------------------------------------------

  @Test
  void chatCompletionsFromAnAnthropicProviderWhole() throws Exception {
    String body = "{\"model\":\"claude\",\"max_tokens\":50,\"temperature\":0.5,\"stop\":\"END\",\"user\":\"u1\","
        + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"developer\",\"content\":\"in French\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"/echo bonjour à tous\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}]}";
    HttpResponse<String> res = f.post("/v1/chat/completions", body);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(res.body());
    assertThat(answer.getString("object")).isEqualTo("chat.completion");
    JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("bonjour à tous");
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    JsonObject usage = answer.getJsonObject("usage");
    assertThat(usage.getLong("completion_tokens")).isPositive();
    assertThat(usage.getLong("total_tokens")).isEqualTo(usage.getLong("prompt_tokens") + usage.getLong("completion_tokens"));
    assertThat(usage.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isZero();

    MockStats.Seen seen = f.mock.last();
    assertThat(seen.path()).isEqualTo("/v1/messages");
    assertThat(seen.headers().get("x-api-key")).isEqualTo("key-anthropic");
    assertThat(seen.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(seen.headers().get("authorization")).isNull();
    JsonObject sent = new JsonObject(seen.body());
    assertThat(sent.getString("model")).isEqualTo("claude-up");
    assertThat(sent.getString("system")).isEqualTo("be brief\n\nin French");
    assertThat(sent.getLong("max_tokens")).isEqualTo(50);
    assertThat(sent.getDouble("temperature")).isEqualTo(0.5);
    assertThat(sent.getJsonArray("stop_sequences")).containsExactly("END");
    assertThat(sent.getJsonObject("metadata").getString("user_id")).isEqualTo("u1");
    JsonArray content = sent.getJsonArray("messages").getJsonObject(0).getJsonArray("content");
    assertThat(content.getJsonObject(0)).isEqualTo(new JsonObject().put("type", "text").put("text", "/echo bonjour à tous"));
    assertThat(content.getJsonObject(1).getJsonObject("source")).isEqualTo(new JsonObject()
        .put("type", "base64").put("media_type", "image/png").put("data", "iVBORw0KGgo="));
  }

  @Test
  void chatCompletionsFromAnAnthropicProviderStreamed() throws Exception {
    String text = "the quick brown fox, ünïcødé 日本 \uD83D\uDE00 and \"quotes\"";
    HttpResponse<String> asked = f.post("/v1/chat/completions",
        chat("claude", true, "/echo " + text).replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
    assertThat(asked.statusCode()).isEqualTo(200);
    List<SseEvent> events = events(asked.body());
    assertThat(openAiText(events)).isEqualTo(text);
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
    JsonObject usage = new JsonObject(events.get(events.size() - 2).data());
    assertThat(usage.getJsonArray("choices")).isEmpty();
    assertThat(usage.getJsonObject("usage").getLong("completion_tokens")).isPositive();
    JsonObject finish = new JsonObject(events.get(events.size() - 3).data());
    assertThat(finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    for (SseEvent e : events.subList(0, events.size() - 1)) {
      JsonObject chunk = new JsonObject(e.data());
      assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(chunk.getString("model")).isEqualTo("claude-up");
      assertThat(chunk.getString("id")).startsWith("msg_mock");
    }
    // not asked for: no usage chunk, as a chat provider would do
    List<SseEvent> plain = events(f.post("/v1/chat/completions", chat("claude", true, "/echo " + text)).body());
    assertThat(openAiText(plain)).isEqualTo(text);
    assertThat(plain).noneMatch(e -> e.data().contains("\"usage\""));
  }

  @Test
  void toolCallsFromAnAnthropicProvider() throws Exception {
    String args = "{\"city\":\"Paris\",\"days\":3}";
    String body = "{\"model\":\"claude\",\"stream\":STREAM,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\","
        + "\"description\":\"weather\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"required\",\"parallel_tool_calls\":false,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
        + "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"},"
        + "{\"role\":\"user\",\"content\":" + io.vertx.core.json.Json.encode("/tool " + args) + "}]}";
    HttpResponse<String> whole = f.post("/v1/chat/completions", body.replace("STREAM", "false"));
    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
    JsonObject choice = new JsonObject(whole.body()).getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getString("id")).isEqualTo("toolu_mock1");
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("lookup");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments"))).isEqualTo(new JsonObject(args));
    assertThat(choice.getJsonObject("message").getValue("content")).isNull();

    JsonObject sent = new JsonObject(f.mock.last().body());
    assertThat(sent.getJsonArray("tools").getJsonObject(0)).isEqualTo(new JsonObject().put("name", "lookup")
        .put("description", "weather").put("input_schema", new JsonObject().put("type", "object")));
    assertThat(sent.getJsonObject("tool_choice")).isEqualTo(new JsonObject().put("type", "any").put("disable_parallel_tool_use", true));
    JsonArray turns = sent.getJsonArray("messages");
    assertThat(turns.getJsonObject(1).getJsonArray("content").getJsonObject(0)).isEqualTo(new JsonObject().put("type", "tool_use")
        .put("id", "call_1").put("name", "lookup").put("input", new JsonObject().put("city", "Rome")));
    // the tool's result and the next question are one user turn, result first
    assertThat(turns).hasSize(3);
    assertThat(turns.getJsonObject(2).getJsonArray("content").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("type", "tool_result").put("tool_use_id", "call_1").put("content", "sunny"));

    List<SseEvent> events = events(f.post("/v1/chat/completions", body.replace("STREAM", "true")).body());
    StringBuilder streamed = new StringBuilder();
    String finish = null;
    for (SseEvent e : events) {
      if (e.isDone()) {
        continue;
      }
      JsonObject c = new JsonObject(e.data()).getJsonArray("choices").getJsonObject(0);
      JsonArray calls = c.getJsonObject("delta").getJsonArray("tool_calls");
      if (calls != null) {
        JsonObject fn = calls.getJsonObject(0).getJsonObject("function");
        assertThat(calls.getJsonObject(0).getInteger("index")).isZero();
        streamed.append(fn.getString("arguments"));
      }
      finish = c.getString("finish_reason") != null ? c.getString("finish_reason") : finish;
    }
    assertThat(new JsonObject(streamed.toString())).isEqualTo(new JsonObject(args));
    assertThat(finish).isEqualTo("tool_calls");
  }

  // ---- messages served by an OpenAI-format provider ---------------------------------------------

  @Test
  void messagesFromAnOpenAiProviderWhole() throws Exception {
    HttpResponse<String> res = f.post("/v1/messages", messages("gpt", false, "/echo hello there")
        .replace("\"max_tokens\":200", "\"max_tokens\":200,\"stop_sequences\":[\"X\"],\"metadata\":{\"user_id\":\"u2\"}"), ANTHROPIC);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(res.body());
    assertThat(answer.getString("type")).isEqualTo("message");
    assertThat(answer.getString("role")).isEqualTo("assistant");
    assertThat(answer.getJsonArray("content").getJsonObject(0)).isEqualTo(new JsonObject().put("type", "text").put("text", "hello there"));
    assertThat(answer.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(answer.getJsonObject("usage").getLong("output_tokens")).isPositive();
    assertThat(answer.getJsonObject("usage").getLong("input_tokens")).isPositive();

    MockStats.Seen seen = f.mock.last();
    assertThat(seen.path()).isEqualTo("/v1/chat/completions");
    assertThat(seen.headers().get("authorization")).isEqualTo("Bearer key-openai");
    assertThat(seen.headers().get("anthropic-version")).isNull();
    JsonObject sent = new JsonObject(seen.body());
    assertThat(sent.getJsonArray("messages").getJsonObject(0)).isEqualTo(new JsonObject().put("role", "system").put("content", "be brief"));
    assertThat(sent.getJsonArray("messages").getJsonObject(1)).isEqualTo(new JsonObject().put("role", "user").put("content", "/echo hello there"));
    assertThat(sent.getLong("max_tokens")).isEqualTo(200);
    assertThat(sent.getJsonArray("stop")).containsExactly("X");
    assertThat(sent.getString("user")).isEqualTo("u2");
  }

  @Test
  void messagesFromAnOpenAiProviderStreamed() throws Exception {
    String text = "streamed through a translation, ünïcødé \uD83D\uDE00";
    HttpResponse<String> res = f.post("/v1/messages", messages("gpt", true, "/echo " + text), ANTHROPIC);
    assertThat(res.statusCode()).isEqualTo(200);
    List<SseEvent> events = events(res.body());
    assertThat(events.stream().map(SseEvent::type).toList()).startsWith("message_start", "content_block_start")
        .endsWith("content_block_stop", "message_delta", "message_stop");
    assertThat(anthropicText(events, "text_delta", "text")).isEqualTo(text);
    for (SseEvent e : events) {
      assertThat(new JsonObject(e.data()).getString("type")).isEqualTo(e.type());
    }
    JsonObject delta = new JsonObject(events.get(events.size() - 2).data());
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("end_turn");
    assertThat(delta.getJsonObject("usage").getLong("output_tokens")).isPositive();
    assertThat(delta.getJsonObject("usage").getLong("input_tokens")).isPositive();
    JsonObject sent = new JsonObject(f.mock.last().body());
    assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
  }

  @Test
  void toolUseFromAnOpenAiProvider() throws Exception {
    String args = "{\"q\":\"tides\",\"n\":2}";
    String body = "{\"model\":\"gpt\",\"max_tokens\":100,\"stream\":STREAM,\"tools\":[{\"name\":\"lookup\",\"input_schema\":{\"type\":\"object\"}}],"
        + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"lookup\"},\"messages\":["
        + "{\"role\":\"user\",\"content\":\"tides?\"},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"lookup\",\"input\":{\"q\":\"x\"}}]},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":[{\"type\":\"text\",\"text\":\"low\"}]},"
        + "{\"type\":\"text\",\"text\":" + io.vertx.core.json.Json.encode("/tool " + args) + "}]}]}";
    HttpResponse<String> whole = f.post("/v1/messages", body.replace("STREAM", "false"), ANTHROPIC);
    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(whole.body());
    assertThat(answer.getString("stop_reason")).isEqualTo("tool_use");
    JsonObject use = answer.getJsonArray("content").getJsonObject(0);
    assertThat(use.getString("type")).isEqualTo("tool_use");
    assertThat(use.getString("id")).isEqualTo("call_mock1");
    assertThat(use.getJsonObject("input")).isEqualTo(new JsonObject(args));

    JsonObject sent = new JsonObject(f.mock.last().body());
    assertThat(sent.getJsonArray("tools").getJsonObject(0)).isEqualTo(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup").put("parameters", new JsonObject().put("type", "object"))));
    assertThat(sent.getJsonObject("tool_choice").getJsonObject("function").getString("name")).isEqualTo("lookup");
    JsonArray turns = sent.getJsonArray("messages");
    assertThat(turns.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments"))
        .isEqualTo("{\"q\":\"x\"}");
    assertThat(turns.getJsonObject(2)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_1").put("content", "low"));
    assertThat(turns.getJsonObject(3).getString("role")).isEqualTo("user");

    List<SseEvent> events = events(f.post("/v1/messages", body.replace("STREAM", "true"), ANTHROPIC).body());
    JsonObject start = events.stream().filter(e -> "content_block_start".equals(e.type())).map(e -> new JsonObject(e.data())).findFirst().orElseThrow();
    assertThat(start.getJsonObject("content_block").getString("type")).isEqualTo("tool_use");
    assertThat(start.getJsonObject("content_block").getString("name")).isEqualTo("lookup");
    assertThat(new JsonObject(anthropicText(events, "input_json_delta", "partial_json"))).isEqualTo(new JsonObject(args));
    assertThat(new JsonObject(events.get(events.size() - 2).data()).getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");
  }

  // ---- what cannot be said, errors, breaks -------------------------------------------------------

  @Test
  void whatTheProvidersFormatCannotExpressIsRefusedWithA400NamingTheField() throws Exception {
    int before = f.mock.seen().size();
    HttpResponse<String> n = f.post("/v1/chat/completions", chat("claude", false, "x").replace("}]", "}],\"n\":2"));
    assertError(n, 400, "unsupported_by_provider");
    assertThat(new JsonObject(n.body()).getJsonObject("error").getString("message")).startsWith("n:");
    assertError(f.post("/v1/chat/completions", chat("claude", false, "x").replace("}]", "}],\"logprobs\":true")), 400, "unsupported_by_provider");
    assertError(f.post("/v1/chat/completions", chat("claude", false, "x").replace("}]", "}],\"temperature\":1.5")), 400, "unsupported_by_provider");
    HttpResponse<String> topK = f.post("/v1/messages", messages("gpt", false, "x").replace("\"max_tokens\":200", "\"max_tokens\":200,\"top_k\":5"), ANTHROPIC);
    assertError(topK, 400, "unsupported_by_provider");
    assertThat(new JsonObject(topK.body()).getJsonObject("error").getString("message")).startsWith("top_k:");
    assertThat(f.mock.seen()).hasSize(before);
  }

  @Test
  void aProvidersErrorComesInTheClientsFormat() throws Exception {
    HttpResponse<String> chatErr = f.post("/v1/chat/completions", chat("claude-400", false, "x"));
    assertThat(chatErr.statusCode()).isEqualTo(400);
    JsonObject e = new JsonObject(chatErr.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("message")).isNotBlank();
    assertThat(e.fieldNames()).contains("code", "param");

    HttpResponse<String> msgErr = f.post("/v1/messages", messages("gpt-400", false, "x"), ANTHROPIC);
    assertThat(msgErr.statusCode()).isEqualTo(400);
    JsonObject body = new JsonObject(msgErr.body());
    assertThat(body.getString("type")).isEqualTo("error");
    assertThat(body.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(body.getJsonObject("error").getString("message")).isNotBlank();
  }

  @Test
  void aStreamThatBreaksMidTranslationEndsWithTheClientsErrorEvent() throws Exception {
    List<SseEvent> chatEvents = events(f.post("/v1/chat/completions", chat("claude-broken", true, "hi")).body());
    SseEvent last = chatEvents.get(chatEvents.size() - 1);
    assertThat(new JsonObject(last.data()).getJsonObject("error").getString("code")).isEqualTo("upstream_aborted");
    assertThat(chatEvents).noneMatch(SseEvent::isDone);
    assertThat(openAiText(chatEvents)).isNotEmpty();

    List<SseEvent> msgEvents = events(f.post("/v1/messages", messages("gpt-broken", true, "hi"), ANTHROPIC).body());
    SseEvent lastMsg = msgEvents.get(msgEvents.size() - 1);
    assertThat(lastMsg.type()).isEqualTo("error");
    assertThat(new JsonObject(lastMsg.data()).getJsonObject("error").getString("type")).isEqualTo("api_error");
    assertThat(msgEvents).noneMatch(ev -> "message_stop".equals(ev.type()));
    assertThat(anthropicText(msgEvents, "text_delta", "text")).isNotEmpty();
  }

  @Test
  void failoverCrossesProviderTypesBeforeTheFirstByte() throws Exception {
    HttpResponse<String> res = f.post("/v1/messages", messages("claude-then-gpt", true, "/echo from the second"), ANTHROPIC);
    assertThat(res.statusCode()).isEqualTo(200);
    List<SseEvent> events = events(res.body());
    assertThat(anthropicText(events, "text_delta", "text")).isEqualTo("from the second");
    assertThat(f.mock.seen()).extracting(MockStats.Seen::path).containsExactly("/v1/messages", "/v1/chat/completions");
    // a target whose format cannot express the request is skipped: n=2 goes to the OpenAI target only
    f.mock.clear();
    HttpResponse<String> two = f.post("/v1/chat/completions", chat("claude-then-gpt", false, "/echo twice").replace("}]", "}],\"n\":2"));
    assertThat(two.statusCode()).as(two.body()).isEqualTo(200);
    assertThat(new JsonObject(two.body()).getJsonArray("choices")).hasSize(2);
    assertThat(f.mock.seen()).extracting(MockStats.Seen::path).containsExactly("/v1/chat/completions");
    HttpResponse<String> chat = f.post("/v1/chat/completions", chat("claude-then-gpt", false, "/echo and back"));
    assertThat(new JsonObject(chat.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo("and back");
  }

  @Test
  void limitsSettleFromTheTranslatedUsage() throws Exception {
    String config = ChargedUsage.config(100000, Map.of("claude", "type: anthropic, base_url: \"${MOCK_URL}\"", "mock", ""));
    for (boolean stream : new boolean[] {true, false}) {
      ChargedUsage.assertSettledFromTheReport(config, "/v1/chat/completions", "claude", model -> chat(model, stream, "hi"));
      ChargedUsage.assertSettledFromTheReport(config, "/v1/messages", "mock", model -> messages(model, stream, "hi"));
    }
  }
}
