package io.portcullis.e2e;

import static io.portcullis.e2e.ApiTest.assertError;
import static io.portcullis.e2e.GatewayFixture.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.limit.TokenCounter;
import io.portcullis.mock.MockStats;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/responses} end to end, as an SDK's {@code responses.create} (plain and streamed)
 * speaks it: relayed to a provider that serves the Responses API, translated to chat completions
 * for one that does not, and through chat to an Anthropic provider. The client reads the same
 * answer, the same typed events, the same usage in each case; redaction, limits and refusals hold.
 */
class ResponsesTest {

  static GatewayFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        scrub: {enabled: true}
        providers:
          - {name: native, type: openai, base_url: "${MOCK_URL}", responses_api: true}
          - {name: compat, type: openai, base_url: "${MOCK_URL}"}
          - {name: claude, type: anthropic, base_url: "${MOCK_URL}"}
        models:
          - {name: native, targets: [{provider: native, model: up}]}
          - {name: compat, targets: [{provider: compat, model: up}]}
          - {name: claude, targets: [{provider: claude, model: up}]}
          - {name: native-broken, targets: [{provider: native, model: "up@abort_after=3;tokens=20"}]}
          - {name: compat-broken, targets: [{provider: compat, model: "up@abort_after=3;tokens=20"}]}
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

  static final List<String> MODELS = List.of("native", "compat", "claude");
  static final List<String> PATHS = List.of("/v1/responses", "/v1/chat/completions", "/v1/messages");

  static String request(String model, boolean stream, String text, String extra) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"instructions\":\"be brief\",\"input\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":" + Json.encode(text) + "}]}]" + extra + "}";
  }

  /** What an SDK's stream accumulator makes of the events: text and arguments from the deltas, the final response. */
  record Streamed(String text, String args, JsonObject last, List<String> types) {}

  static Streamed streamed(String body) {
    StringBuilder text = new StringBuilder();
    StringBuilder args = new StringBuilder();
    List<String> types = new ArrayList<>();
    JsonObject last = null;
    int sequence = -1;
    for (SseEvent e : events(body)) {
      JsonObject data = new JsonObject(e.data());
      assertThat(data.getString("type")).as(e.data()).isEqualTo(e.type());
      types.add(e.type());
      if (data.getValue("sequence_number") instanceof Number n) {
        assertThat(n.intValue()).isGreaterThan(sequence);
        sequence = n.intValue();
      }
      switch (e.type()) {
        case "response.output_text.delta" -> text.append(data.getString("delta"));
        case "response.function_call_arguments.delta" -> args.append(data.getString("delta"));
        default -> { }
      }
      last = data;
    }
    return new Streamed(text.toString(), args.toString(), last, types);
  }

  static String outputText(JsonObject response) {
    StringBuilder text = new StringBuilder();
    for (Object o : response.getJsonArray("output")) {
      JsonObject item = (JsonObject) o;
      if (item.getString("type").equals("message")) {
        for (Object p : item.getJsonArray("content")) {
          text.append(((JsonObject) p).getString("text"));
        }
      }
    }
    return text.toString();
  }

  @Test
  void aWholeResponseFromEachProviderType() throws Exception {
    for (int i = 0; i < MODELS.size(); i++) {
      HttpResponse<String> res = f.post("/v1/responses", request(MODELS.get(i), false, "/echo the same answer, ünïcødé", ",\"max_output_tokens\":100"));
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      JsonObject response = new JsonObject(res.body());
      assertThat(response.getString("object")).isEqualTo("response");
      assertThat(response.getString("status")).isEqualTo("completed");
      assertThat(outputText(response)).as(MODELS.get(i)).isEqualTo("the same answer, ünïcødé");
      JsonObject usage = response.getJsonObject("usage");
      assertThat(usage.getLong("output_tokens")).isPositive();
      assertThat(usage.getLong("total_tokens")).isEqualTo(usage.getLong("input_tokens") + usage.getLong("output_tokens"));
      MockStats.Seen seen = f.mock.last();
      assertThat(seen.path()).isEqualTo(PATHS.get(i));
      JsonObject sent = new JsonObject(seen.body());
      switch (i) {
        case 0 -> assertThat(sent.getString("instructions")).isEqualTo("be brief");
        case 1 -> {
          assertThat(sent.getJsonArray("messages").getJsonObject(0)).isEqualTo(new JsonObject().put("role", "system").put("content", "be brief"));
          assertThat(sent.getLong("max_tokens")).isEqualTo(100);
        }
        default -> {
          assertThat(sent.getString("system")).isEqualTo("be brief");
          assertThat(sent.getLong("max_tokens")).isEqualTo(100);
        }
      }
    }
  }

  @Test
  void aStreamedResponseFromEachProviderTypeHasTheTypedEvents() throws Exception {
    for (String model : MODELS) {
      HttpResponse<String> res = f.post("/v1/responses", request(model, true, "/echo streamed words, 日本 \uD83D\uDE00", ""));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
      Streamed s = streamed(res.body());
      assertThat(s.text()).as(model).isEqualTo("streamed words, 日本 \uD83D\uDE00");
      assertThat(s.types()).as(model).startsWith("response.created", "response.in_progress", "response.output_item.added",
          "response.content_part.added", "response.output_text.delta")
          .endsWith("response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed");
      JsonObject response = s.last().getJsonObject("response");
      assertThat(response.getString("status")).isEqualTo("completed");
      assertThat(outputText(response)).isEqualTo(s.text());
      assertThat(response.getJsonObject("usage").getLong("output_tokens")).isPositive();
    }
  }

  @Test
  void functionCallsFromEachProviderType() throws Exception {
    String args = "{\"city\":\"Oslo\",\"days\":2}";
    String tools = ",\"tools\":[{\"type\":\"function\",\"name\":\"lookup\",\"parameters\":{\"type\":\"object\"}}],\"tool_choice\":\"auto\"";
    for (String model : MODELS) {
      Streamed s = streamed(f.post("/v1/responses", request(model, true, "/tool " + args, tools)).body());
      assertThat(new JsonObject(s.args())).as(model).isEqualTo(new JsonObject(args));
      assertThat(s.types()).contains("response.function_call_arguments.done");
      JsonObject item = s.last().getJsonObject("response").getJsonArray("output").getJsonObject(0);
      assertThat(item.getString("type")).isEqualTo("function_call");
      assertThat(item.getString("name")).isEqualTo("lookup");
      assertThat(new JsonObject(item.getString("arguments"))).isEqualTo(new JsonObject(args));

      JsonObject whole = new JsonObject(f.post("/v1/responses", request(model, false, "/tool " + args, tools)).body());
      JsonObject call = whole.getJsonArray("output").getJsonObject(0);
      assertThat(call.getString("type")).as(whole.encode()).isEqualTo("function_call");
      assertThat(new JsonObject(call.getString("arguments"))).isEqualTo(new JsonObject(args));
    }
    // a function call's output goes back as a tool message (chat) or a tool_result block (Anthropic)
    String followUp = "{\"model\":\"claude\",\"input\":[{\"role\":\"user\",\"content\":\"weather?\"},"
        + "{\"type\":\"function_call\",\"call_id\":\"call_9\",\"name\":\"lookup\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"call_9\",\"output\":\"rain\"},{\"role\":\"user\",\"content\":\"/echo ok\"}]}";
    assertThat(f.post("/v1/responses", followUp).statusCode()).isEqualTo(200);
    JsonArray turns = new JsonObject(f.mock.last().body()).getJsonArray("messages");
    assertThat(turns.getJsonObject(1).getJsonArray("content").getJsonObject(0)).isEqualTo(new JsonObject().put("type", "tool_use")
        .put("id", "call_9").put("name", "lookup").put("input", new JsonObject().put("city", "Oslo")));
    assertThat(turns.getJsonObject(2).getJsonArray("content").getJsonObject(0).getString("content")).isEqualTo("rain");
  }

  @Test
  void theTokenBoundMakesAnIncompleteResponse() throws Exception {
    for (String model : MODELS) {
      String body = request(model + "", true, "/echo one two three four five six seven eight nine ten eleven twelve", ",\"max_output_tokens\":3");
      Streamed s = streamed(f.post("/v1/responses", body).body());
      assertThat(s.types()).as(model).endsWith("response.incomplete");
      assertThat(s.last().getJsonObject("response").getJsonObject("incomplete_details").getString("reason")).isEqualTo("max_output_tokens");
      JsonObject whole = new JsonObject(f.post("/v1/responses", body.replace("\"stream\":true", "\"stream\":false")).body());
      assertThat(whole.getString("status")).as(model).isEqualTo("incomplete");
    }
  }

  @Test
  void secretsAreRedactedInDeltasAndInEveryRepeatOfTheWholeText() throws Exception {
    String text = "/echo the key is AKIAZ7Q3XKJHGF5RT2WB and mail jane.doe@example.com.";
    for (String model : MODELS) {
      String raw = f.post("/v1/responses", request(model, true, text, "")).body();
      assertThat(raw).as(model).doesNotContain("AKIAZ7Q3XKJHGF5RT2WB").doesNotContain("jane.doe@example.com");
      Streamed s = streamed(raw);
      assertThat(s.text()).isEqualTo("the key is [REDACTED:aws_access_key] and mail [REDACTED:email].");
      assertThat(outputText(s.last().getJsonObject("response"))).isEqualTo(s.text());
      String whole = f.post("/v1/responses", request(model, false, text, "")).body();
      assertThat(outputText(new JsonObject(whole))).isEqualTo(s.text());
    }
  }

  @Test
  void aBrokenStreamEndsWithTheResponsesErrorEvent() throws Exception {
    for (String model : List.of("native-broken", "compat-broken")) {
      List<SseEvent> events = events(f.post("/v1/responses", request(model, true, "hi", "")).body());
      SseEvent last = events.get(events.size() - 1);
      assertThat(last.type()).as(model).isEqualTo("error");
      assertThat(new JsonObject(last.data()).getString("code")).isEqualTo("upstream_aborted");
      assertThat(events).noneMatch(e -> "response.completed".equals(e.type()));
    }
  }

  @Test
  void badInputAndWhatChatCannotExpressAreRefused() throws Exception {
    int before = f.mock.seen().size();
    assertError(f.post("/v1/responses", "{\"model\":\"compat\"}"), 400, "invalid_body");
    assertError(f.post("/v1/responses", "{\"model\":\"compat\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}]}"), 400, "invalid_input");
    assertError(f.post("/v1/responses", "{\"model\":\"compat\",\"input\":\"x\",\"instructions\":5}"), 400, "invalid_instructions");
    assertError(f.post("/v1/responses", "{\"model\":\"compat\",\"input\":\"x\",\"max_output_tokens\":-1}"), 400, "invalid_max_output_tokens");
    assertError(f.post("/v1/responses", "{\"model\":\"compat\",\"input\":\"x\",\"temperature\":3}"), 400, "invalid_temperature");
    HttpResponse<String> stateful = f.post("/v1/responses", "{\"model\":\"compat\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}");
    assertError(stateful, 400, "unsupported_by_provider");
    assertThat(new JsonObject(stateful.body()).getJsonObject("error").getString("message")).startsWith("previous_response_id:");
    assertError(f.post("/v1/responses", "{\"model\":\"claude\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}"), 400, "unsupported_by_provider");
    assertThat(f.mock.seen()).hasSize(before);
    // the provider that serves the Responses API itself keeps its state: the id is passed on
    assertThat(f.post("/v1/responses", "{\"model\":\"native\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}").statusCode()).isEqualTo(200);
    assertThat(new JsonObject(f.mock.last().body()).getString("previous_response_id")).isEqualTo("resp_1");
  }

  @Test
  void limitsReserveFromMaxOutputTokensSettleFromTheReportedUsageAndCutAnOverrun() throws Exception {
    String base = ChargedUsage.config(60000, Map.of("native", "type: openai, base_url: \"${MOCK_URL}\", responses_api: true",
        "mock", "", "claude", "type: anthropic, base_url: \"${MOCK_URL}\"")).replace("models:\n", """
        models:
          - {name: n-overrun, targets: [{provider: native, model: "m@ignore_max_tokens=1;tokens=400;rate=0"}]}
          - {name: g-overrun, targets: [{provider: mock, model: "m@ignore_max_tokens=1;tokens=400;rate=0"}]}
        """);
    // the mock reports three times the tokens it sent: charged from the report, whatever translated it
    for (String provider : List.of("native", "mock", "claude")) {
      for (boolean stream : new boolean[] {true, false}) {
        ChargedUsage.assertSettledFromTheReport(base, "/v1/responses", provider, model -> request(model, stream, "hi", ""));
      }
    }
    try (GatewayFixture g = new GatewayFixture(base)) {
      // the reservation is max_output_tokens: one over what is left is refused before any call
      HttpResponse<String> tooBig = g.post("/v1/responses", "{\"model\":\"mock1\",\"input\":\"x\",\"max_output_tokens\":60000}");
      assertThat(tooBig.statusCode()).as(tooBig.body()).isEqualTo(429);
      assertThat(g.mock.seen()).isEmpty();
      for (String model : List.of("n-overrun", "g-overrun")) {
        Streamed s = streamed(g.post("/v1/responses", request(model, true, "hi", ",\"max_output_tokens\":12")).body());
        assertThat(s.types()).as(model).endsWith("response.incomplete");
        assertThat(s.last().getJsonObject("response").getJsonObject("incomplete_details").getString("reason")).isEqualTo("max_output_tokens");
        long tokens = TokenCounter.count(s.text());
        assertThat(tokens).as(model).isBetween(12L, 16L); // the bound plus the stated tolerance
      }
    }
  }
}
