package io.portcullis.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.MockConfig;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEvents;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mock speaks the wire formats it claims: Gemini (generateContent, streamGenerateContent as SSE
 * and as a JSON array, batchEmbedContents) and OpenAI Responses (typed events, streamed and not).
 */
class MockFormatsTest {

  static Vertx vertx;
  static MockStats stats = new MockStats();
  static String base;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    MockProviderVerticle mock = new MockProviderVerticle(new MockConfig(true, "127.0.0.1", 0, 0, 24, Duration.ZERO), stats);
    vertx.deployVerticle(mock).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + mock.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A Gemini method of a model, e.g. {@code gemini-2.0-flash:generateContent}. */
  static HttpResponse<String> post(String modelMethod, JsonObject body) throws Exception {
    return send("/v1beta/models/" + modelMethod, body);
  }

  static HttpResponse<String> send(String path, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("x-goog-api-key", "AIzaMockKey")
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject ask(String text, Integer maxOutputTokens) {
    JsonObject body = new JsonObject()
        .put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", "be brief"))))
        .put("contents", new JsonArray()
            .add(new JsonObject().put("role", "user").put("parts", new JsonArray().add(new JsonObject().put("text", "hello"))))
            .add(new JsonObject().put("role", "model").put("parts", new JsonArray().add(new JsonObject().put("text", "hi"))))
            .add(new JsonObject().put("role", "user").put("parts", new JsonArray().add(new JsonObject().put("text", text)))));
    if (maxOutputTokens != null) {
      body.put("generationConfig", new JsonObject().put("maxOutputTokens", maxOutputTokens));
    }
    return body;
  }

  static List<SseEvent> events(String body) {
    return SseEvents.parse(body);
  }

  static String text(JsonObject chunk) {
    StringBuilder out = new StringBuilder();
    for (Object p : chunk.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts")) {
      out.append(((JsonObject) p).getString("text", ""));
    }
    return out.toString();
  }

  @Test
  void generateContentAnswersWithCandidatesAndUsageMetadata() throws Exception {
    HttpResponse<String> res = post("gemini-2.0-flash:generateContent", ask("/echo the answer, in full", null));
    assertThat(res.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(res.body());
    assertThat(text(body)).isEqualTo("the answer, in full");
    JsonObject candidate = body.getJsonArray("candidates").getJsonObject(0);
    assertThat(candidate.getString("finishReason")).isEqualTo("STOP");
    assertThat(candidate.getJsonObject("content").getString("role")).isEqualTo("model");
    JsonObject usage = body.getJsonObject("usageMetadata");
    assertThat(usage.getInteger("totalTokenCount")).isEqualTo(usage.getInteger("promptTokenCount") + usage.getInteger("candidatesTokenCount"));
    assertThat(body.getString("modelVersion")).isEqualTo("gemini-2.0-flash");
    assertThat(stats.last().headers().get("x-goog-api-key")).isEqualTo("AIzaMockKey");

    JsonObject cut = new JsonObject(post("gemini-2.0-flash:generateContent", ask("/echo one two three four five six", 2)).body());
    assertThat(cut.getJsonArray("candidates").getJsonObject(0).getString("finishReason")).isEqualTo("MAX_TOKENS");
    assertThat(cut.getJsonObject("usageMetadata").getInteger("candidatesTokenCount")).isEqualTo(2);
  }

  @Test
  void streamGenerateContentWithAltSseSendsChunksAndUsageLastWithoutDone() throws Exception {
    HttpResponse<String> res = post("gemini-2.0-flash:streamGenerateContent?alt=sse", ask("/echo streamed, piece by piece", null));
    assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<SseEvent> events = events(res.body());
    assertThat(events.size()).isGreaterThan(3);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      JsonObject chunk = new JsonObject(events.get(i).data());
      text.append(text(chunk));
      boolean last = i == events.size() - 1;
      assertThat(chunk.containsKey("usageMetadata")).isEqualTo(last);
      assertThat(chunk.getJsonArray("candidates").getJsonObject(0).getString("finishReason")).isEqualTo(last ? "STOP" : null);
    }
    assertThat(text.toString()).isEqualTo("streamed, piece by piece");
    assertThat(events).noneMatch(e -> "[DONE]".equals(e.data()));

    // without alt=sse: one JSON array of the same chunks
    JsonArray array = new JsonArray(post("gemini-2.0-flash:streamGenerateContent", ask("/echo as an array", null)).body());
    StringBuilder joined = new StringBuilder();
    array.forEach(c -> joined.append(text((JsonObject) c)));
    assertThat(joined.toString()).isEqualTo("as an array");
  }

  @Test
  void toolCallsFaultsAndEmbeddings() throws Exception {
    JsonObject call = new JsonObject(post("gemini-2.0-flash:generateContent", ask("/tool {\"city\":\"Paris\"}", null)).body());
    JsonObject part = call.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts").getJsonObject(0);
    assertThat(part.getJsonObject("functionCall")).isEqualTo(new JsonObject().put("name", "lookup")
        .put("args", new JsonObject().put("city", "Paris")));

    HttpResponse<String> limited = post("gemini-2.0-flash@status=429:generateContent", ask("x", null));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(new JsonObject(limited.body()).getJsonObject("error").getString("status")).isEqualTo("RESOURCE_EXHAUSTED");
    HttpResponse<String> refused = post("gemini-2.0-flash@status=401:generateContent", ask("x", null));
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message")).contains("AIzaMockKey");

    JsonObject embed = new JsonObject(post("text-embedding-004:batchEmbedContents", new JsonObject().put("requests", new JsonArray()
        .add(new JsonObject().put("model", "models/text-embedding-004").put("content", new JsonObject()
            .put("parts", new JsonArray().add(new JsonObject().put("text", "one")))))
        .add(new JsonObject().put("model", "models/text-embedding-004").put("content", new JsonObject()
            .put("parts", new JsonArray().add(new JsonObject().put("text", "two"))))))).body());
    assertThat(embed.getJsonArray("embeddings")).hasSize(2);
    assertThat(embed.getJsonArray("embeddings").getJsonObject(0).getJsonArray("values")).hasSize(8);
    assertThat(embed.getJsonArray("embeddings").getJsonObject(0)).isNotEqualTo(embed.getJsonArray("embeddings").getJsonObject(1));
  }

  // ---- OpenAI Responses ------------------------------------------------------------------------

  static JsonObject responsesRequest(String text, boolean stream, Integer maxOutputTokens) {
    JsonObject body = new JsonObject().put("model", "gpt-4.1-mini").put("stream", stream).put("instructions", "be brief")
        .put("input", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", text)))));
    if (maxOutputTokens != null) {
      body.put("max_output_tokens", maxOutputTokens);
    }
    return body;
  }

  @Test
  void responsesAnswerWithOutputItemsAndUsage() throws Exception {
    JsonObject whole = new JsonObject(send("/v1/responses", responsesRequest("/echo a whole answer", false, null)).body());
    assertThat(whole.getString("object")).isEqualTo("response");
    assertThat(whole.getString("status")).isEqualTo("completed");
    JsonObject item = whole.getJsonArray("output").getJsonObject(0);
    assertThat(item.getString("type")).isEqualTo("message");
    assertThat(item.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("a whole answer");
    JsonObject usage = whole.getJsonObject("usage");
    assertThat(usage.getInteger("total_tokens")).isEqualTo(usage.getInteger("input_tokens") + usage.getInteger("output_tokens"));

    JsonObject cut = new JsonObject(send("/v1/responses", responsesRequest("/echo one two three four", false, 2)).body());
    assertThat(cut.getString("status")).isEqualTo("incomplete");
    assertThat(cut.getJsonObject("incomplete_details").getString("reason")).isEqualTo("max_output_tokens");
  }

  @Test
  void responsesStreamTypedEventsInOrderWithSequenceNumbers() throws Exception {
    List<SseEvent> events = events(send("/v1/responses", responsesRequest("/echo streamed text", true, null)).body());
    List<String> types = new ArrayList<>();
    StringBuilder deltas = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      JsonObject data = new JsonObject(events.get(i).data());
      assertThat(events.get(i).type()).isEqualTo(data.getString("type"));
      assertThat(data.getInteger("sequence_number")).isEqualTo(i);
      if (!types.contains(data.getString("type"))) {
        types.add(data.getString("type"));
      }
      if ("response.output_text.delta".equals(data.getString("type"))) {
        deltas.append(data.getString("delta"));
      }
      if ("response.output_text.done".equals(data.getString("type"))) {
        assertThat(data.getString("text")).isEqualTo(deltas.toString());
      }
    }
    assertThat(deltas.toString()).isEqualTo("streamed text");
    assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
    JsonObject completed = new JsonObject(events.get(events.size() - 1).data()).getJsonObject("response");
    assertThat(completed.getJsonObject("usage").getInteger("output_tokens")).isPositive();

    List<SseEvent> tool = events(send("/v1/responses", responsesRequest("/tool {\"q\":\"x\"}", true, null)).body());
    StringBuilder args = new StringBuilder();
    for (SseEvent e : tool) {
      JsonObject data = new JsonObject(e.data());
      if ("response.function_call_arguments.delta".equals(data.getString("type"))) {
        args.append(data.getString("delta"));
      }
    }
    assertThat(new JsonObject(args.toString())).isEqualTo(new JsonObject().put("q", "x"));
    assertThat(new JsonObject(tool.get(tool.size() - 1).data()).getString("type")).isEqualTo("response.completed");

    List<SseEvent> cut = events(send("/v1/responses", responsesRequest("/echo one two three four", true, 2)).body());
    assertThat(new JsonObject(cut.get(cut.size() - 1).data()).getString("type")).isEqualTo("response.incomplete");
  }
}
