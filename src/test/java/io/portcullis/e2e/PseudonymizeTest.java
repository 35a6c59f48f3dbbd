package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static io.portcullis.e2e.GatewayFixture.openAiText;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.mock.MockStats;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pseudonymization end to end: the mock provider (which records every request and echoes the
 * prompt back cut into 1-4 character tokens) must never see a value, and the client must get
 * every value back, streamed and not, in OpenAI and Anthropic formats, in text and tool calls.
 */
class PseudonymizeTest {

  static final String EMAIL = "ann.smith@example.com";
  static final String IBAN = "DE89 3704 0044 0532 0130 00";
  static final String CARD = "4111 1111 1111 1111";
  static final String PHONE = "+44 20 7946 0958";
  static final String PROMPT = "Write to " + EMAIL + " (IBAN " + IBAN + ", card " + CARD + ", phone " + PHONE
      + "), again " + EMAIL + ". A key AKIAZ7Q3XKJHGF5RT2WB stays redacted.";
  static final List<String> VALUES = List.of(EMAIL, IBAN, CARD, PHONE);

  static GatewayFixture f;

  @BeforeAll
  static void start() throws Exception {
    // ScrubTest's gateway (an OpenAI and an Anthropic provider on the mock), on two event loops
    f = new GatewayFixture(ScrubTest.config("redact, rules: {email: {request_action: pseudonymize}, "
        + "iban: {request_action: pseudonymize}, card_number: {request_action: pseudonymize}, "
        + "phone_number: {request_action: pseudonymize}}").replace("instances: 1", "instances: 2"));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** What the client must see: every value back, the secret that is not pseudonymized redacted. */
  static String restored(String text) {
    return text.replace("AKIAZ7Q3XKJHGF5RT2WB", "[REDACTED:aws_access_key]");
  }

  private static void providerSawPlaceholdersOnly(MockStats.Seen seen) {
    for (String v : VALUES) {
      assertThat(seen.body()).as("the provider's request").doesNotContain(v);
    }
    assertThat(seen.body()).doesNotContain("AKIAZ7Q3XKJHGF5RT2WB")
        .contains("Write to <EMAIL_1> (IBAN <IBAN_1>, card <CARD_NUMBER_1>, phone <PHONE_NUMBER_1>), again <EMAIL_1>.");
  }

  @Test
  void openAiStreamedAndWholeAnswersGetTheValuesBackWhileTheProviderSeesPlaceholders() throws Exception {
    HttpResponse<String> streamed = f.post("/v1/chat/completions", chat("chat", true, "/echo " + PROMPT));
    assertThat(streamed.statusCode()).isEqualTo(200);
    providerSawPlaceholdersOnly(f.mock.last());
    assertThat(openAiText(events(streamed.body()))).isEqualTo(restored(PROMPT));

    HttpResponse<String> whole = f.post("/v1/chat/completions", chat("chat", false, "/echo " + PROMPT));
    providerSawPlaceholdersOnly(f.mock.last());
    assertThat(new JsonObject(whole.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo(restored(PROMPT));
  }

  @Test
  void translatedAnswersGetTheValuesBackToo() throws Exception {
    // chat completions served by the Anthropic provider: placeholders there, values back in chat chunks
    HttpResponse<String> chat = f.post("/v1/chat/completions", chat("claude", true, "/echo " + PROMPT));
    assertThat(f.mock.last().path()).isEqualTo("/v1/messages");
    providerSawPlaceholdersOnly(f.mock.last());
    assertThat(openAiText(events(chat.body()))).isEqualTo(restored(PROMPT));
    // Anthropic's Messages served by the OpenAI provider
    HttpResponse<String> msg = f.post("/v1/messages", "{\"model\":\"chat\",\"max_tokens\":500,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":" + Json.encode("/echo " + PROMPT) + "}]}",
        Map.of("anthropic-version", "2023-06-01"));
    assertThat(f.mock.last().path()).isEqualTo("/v1/chat/completions");
    providerSawPlaceholdersOnly(f.mock.last());
    assertThat(TranslationTest.anthropicText(events(msg.body()), "text_delta", "text")).isEqualTo(restored(PROMPT));
    // the Responses API over chat to the Anthropic provider, streamed and whole
    String responses = "{\"model\":\"claude\",\"stream\":STREAM,\"input\":" + Json.encode("/echo " + PROMPT) + "}";
    ResponsesTest.Streamed streamed = ResponsesTest.streamed(f.post("/v1/responses", responses.replace("STREAM", "true")).body());
    providerSawPlaceholdersOnly(f.mock.last());
    assertThat(streamed.text()).isEqualTo(restored(PROMPT));
    assertThat(ResponsesTest.outputText(streamed.last().getJsonObject("response"))).isEqualTo(restored(PROMPT));
    JsonObject whole = new JsonObject(f.post("/v1/responses", responses.replace("STREAM", "false")).body());
    assertThat(ResponsesTest.outputText(whole)).isEqualTo(restored(PROMPT));
  }

  @Test
  void toolCallArgumentsGetTheValuesBackAsJson() throws Exception {
    String args = "{\"to\":\"" + EMAIL + "\",\"iban\":\"" + IBAN + "\"}";
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("chat", true, "/tool " + args));
    assertThat(f.mock.last().body()).doesNotContain(EMAIL).doesNotContain(IBAN);
    StringBuilder got = new StringBuilder();
    for (SseEvent e : events(res.body())) {
      if (e.hasData() && !e.isDone()) {
        JsonObject delta = new JsonObject(e.data()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
        if (delta.getJsonArray("tool_calls") != null) {
          got.append(delta.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments"));
        }
      }
    }
    assertThat(new JsonObject(got.toString())).isEqualTo(new JsonObject(args));
  }

  @Test
  void anthropicTextAndToolInputGetTheValuesBack() throws Exception {
    String body = "{\"model\":\"claude\",\"max_tokens\":500,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
        + Json.encode("/echo " + PROMPT) + "}]}";
    HttpResponse<String> res = f.post("/v1/messages", body);
    assertThat(res.statusCode()).isEqualTo(200);
    providerSawPlaceholdersOnly(f.mock.last());
    StringBuilder text = new StringBuilder();
    for (SseEvent e : events(res.body())) {
      JsonObject data = new JsonObject(e.data());
      if (data.getValue("delta") instanceof JsonObject d) {
        text.append(d.getString("text", ""));
      }
    }
    assertThat(text.toString()).isEqualTo(restored(PROMPT));

    String args = "{\"to\":\"" + EMAIL + "\"}";
    HttpResponse<String> whole = f.post("/v1/messages", body.replace("\"stream\":true", "\"stream\":false")
        .replace(Json.encode("/echo " + PROMPT), Json.encode("/tool " + args)));
    assertThat(f.mock.last().body()).doesNotContain(EMAIL);
    assertThat(new JsonObject(whole.body()).getJsonArray("content").getJsonObject(0).getJsonObject("input"))
        .isEqualTo(new JsonObject(args));
  }

  /** Many streams at once on two event loops, each with its own values: none sees another's. */
  @Test
  void concurrentRequestsNeverSeeEachOthersValues() throws Exception {
    int n = 60;
    List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String prompt = "/echo mail user" + i + "@example.com then user" + (i + 1) + "@example.org, card " + CARD;
      running.add(f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(30))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat("chat", true, prompt))).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < n; i++) {
      String text = openAiText(events(running.get(i).get().body()));
      assertThat(text).isEqualTo("mail user" + i + "@example.com then user" + (i + 1) + "@example.org, card " + CARD);
    }
    for (MockStats.Seen seen : f.mock.seen()) {
      assertThat(seen.body()).doesNotContain("@example.");
    }
  }
}
