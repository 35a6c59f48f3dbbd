package io.portcullis.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.format.Translation;
import io.portcullis.format.UpstreamFormat;
import io.portcullis.format.WireFormat;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.scrub.ScrubFilter;
import io.portcullis.scrub.Scrubber;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEventParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Redaction of translated streams: the provider's bytes, split at every point, go through the
 * parser, the translation and the scrub link of the client's format. What the client reassembles
 * must be block-mode scrubbing of the whole text (for the text and for tool arguments), and no
 * four characters of a secret may ever leave.
 */
class TranslatedScrubTest {

  static final Scrubber SCRUBBER = Scrubber.builtIn(512);
  static final String TEXT = "key AKIAZ7Q3XKJHGF5RT2WB, mail jane.doe@example.com. 日本 \uD83D\uDE00 ok";
  static final String ARGS = "{\"to\":\"jane.doe@example.com\",\"key\":\"AKIAZ7Q3XKJHGF5RT2WB\"}";
  static final List<String> SECRETS = List.of("AKIAZ7Q3XKJHGF5RT2WB", "jane.doe@example.com");

  /** A text in irregular pieces of 1 to 5 characters (surrogate pairs kept whole). */
  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int step = 0;
    while (i < text.length()) {
      int n = Math.min(text.length() - i, 1 + (step++ % 5));
      if (Character.isHighSurrogate(text.charAt(i + n - 1)) && i + n < text.length()) {
        n++;
      }
      out.add(text.substring(i, i + n));
      i += n;
    }
    return out;
  }

  static String named(String type, JsonObject data) {
    return "event: " + type + "\ndata: " + data.put("type", type).encode() + "\n\n";
  }

  /** An Anthropic stream: a text block with {@code text}, then a tool_use block whose input is {@code args}. */
  static String anthropicStream(String text, String args) {
    StringBuilder out = new StringBuilder();
    out.append(named("message_start", new JsonObject().put("message", new JsonObject().put("id", "msg_1").put("model", "c")
        .put("content", new JsonArray()).put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 1)))));
    out.append(named("content_block_start", new JsonObject().put("index", 0).put("content_block", new JsonObject().put("type", "text").put("text", ""))));
    for (String p : pieces(text)) {
      out.append(named("content_block_delta", new JsonObject().put("index", 0).put("delta", new JsonObject().put("type", "text_delta").put("text", p))));
    }
    out.append(named("content_block_stop", new JsonObject().put("index", 0)));
    out.append(named("content_block_start", new JsonObject().put("index", 1).put("content_block", new JsonObject()
        .put("type", "tool_use").put("id", "toolu_1").put("name", "send").put("input", new JsonObject()))));
    for (String p : pieces(args)) {
      out.append(named("content_block_delta", new JsonObject().put("index", 1).put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", p))));
    }
    out.append(named("content_block_stop", new JsonObject().put("index", 1)));
    out.append(named("message_delta", new JsonObject().put("delta", new JsonObject().put("stop_reason", "tool_use")).put("usage", new JsonObject().put("output_tokens", 30))));
    out.append(named("message_stop", new JsonObject()));
    return out.toString();
  }

  /** A chat stream: {@code text} as content deltas, then a tool call whose arguments are {@code args}, usage, [DONE]. */
  static String chatStream(String text, String args) {
    StringBuilder out = new StringBuilder();
    JsonObject base = new JsonObject().put("id", "c1").put("object", "chat.completion.chunk").put("model", "g");
    Function<JsonObject, String> chunk = delta -> "data: " + base.copy().put("choices", new JsonArray().add(new JsonObject()
        .put("index", 0).put("delta", delta).putNull("finish_reason"))).encode() + "\n\n";
    out.append(chunk.apply(new JsonObject().put("role", "assistant").put("content", "")));
    for (String p : pieces(text)) {
      out.append(chunk.apply(new JsonObject().put("content", p)));
    }
    boolean first = true;
    for (String p : pieces(args)) {
      JsonObject call = new JsonObject().put("index", 0).put("function", new JsonObject().put("arguments", p));
      if (first) {
        call.put("id", "call_1").put("type", "function").getJsonObject("function").put("name", "send");
        first = false;
      }
      out.append(chunk.apply(new JsonObject().put("tool_calls", new JsonArray().add(call))));
    }
    out.append("data: ").append(base.copy().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", new JsonObject()).put("finish_reason", "tool_calls"))).encode()).append("\n\n");
    out.append("data: ").append(base.copy().put("choices", new JsonArray()).put("usage", new JsonObject()
        .put("prompt_tokens", 5).put("completion_tokens", 30)).encode()).append("\n\n");
    out.append("data: [DONE]\n\n");
    return out.toString();
  }

  /** A Gemini stream ({@code alt=sse}): {@code text} in pieces, then a function call (whole, as Gemini sends it) with {@code args}. */
  static String geminiStream(String text, String args) {
    StringBuilder out = new StringBuilder();
    Function<JsonObject, JsonObject> chunk = part -> new JsonObject().put("candidates", new JsonArray().add(new JsonObject()
        .put("content", new JsonObject().put("role", "model").put("parts", new JsonArray().add(part))).put("index", 0)))
        .put("modelVersion", "gemini-x").put("responseId", "r1");
    for (String p : pieces(text)) {
      out.append("data: ").append(chunk.apply(new JsonObject().put("text", p)).encode()).append("\r\n\r\n");
    }
    JsonObject last = chunk.apply(new JsonObject().put("functionCall", new JsonObject().put("name", "send").put("args", new JsonObject(args))));
    last.getJsonArray("candidates").getJsonObject(0).put("finishReason", "STOP");
    last.put("usageMetadata", new JsonObject().put("promptTokenCount", 5).put("candidatesTokenCount", 30).put("totalTokenCount", 35));
    out.append("data: ").append(last.encode()).append("\r\n\r\n");
    return out.toString();
  }

  /** The upstream bytes in the given chunks through translation and redaction; returns what the client got. */
  static String relay(Endpoint endpoint, UpstreamFormat upstream, String request, List<byte[]> chunks, List<String> soFar) {
    Exchange ex = new Exchange("req", System.nanoTime(), null, endpoint);
    ex.parsed(new JsonObject(request), "m", true);
    Translating translating = new Translating(ex);
    translating.use(Translation.between(endpoint.format(), upstream)); // null: relayed as it is
    ex.response().install(ResponseFilter.Order.TRANSLATE, translating);
    ex.response().install(ResponseFilter.Order.SCRUB, new ScrubFilter(endpoint.format(), SCRUBBER, rule -> { }));
    SseRelay relay = new SseRelay(ex, 1 << 20, () -> { });
    StringBuilder wire = new StringBuilder();
    for (byte[] c : chunks) {
      wire.append(relay.onChunk(Buffer.buffer(c)).toString(StandardCharsets.UTF_8));
      soFar.add(wire.toString());
    }
    wire.append(relay.onEnd().toString(StandardCharsets.UTF_8));
    soFar.add(wire.toString());
    return wire.toString();
  }

  static List<SseEvent> parse(String wire) {
    List<SseEvent> events = new ArrayList<>();
    new SseEventParser(1 << 20, events::add).feed(wire.getBytes(StandardCharsets.UTF_8));
    return events;
  }

  /** Text and tool arguments a chat client reassembles. */
  static String[] chatParts(String wire) {
    StringBuilder text = new StringBuilder();
    StringBuilder args = new StringBuilder();
    for (SseEvent e : parse(wire)) {
      if (e.isDone()) {
        continue;
      }
      JsonArray choices = new JsonObject(e.data()).getJsonArray("choices");
      if (choices.isEmpty()) {
        continue;
      }
      JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
      text.append(delta.getString("content", ""));
      if (delta.getJsonArray("tool_calls") != null) {
        args.append(delta.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments", ""));
      }
    }
    return new String[] {text.toString(), args.toString()};
  }

  /** Text and tool input an Anthropic client reassembles. */
  static String[] anthropicParts(String wire) {
    StringBuilder text = new StringBuilder();
    StringBuilder args = new StringBuilder();
    for (SseEvent e : parse(wire)) {
      if ("content_block_delta".equals(e.type())) {
        JsonObject delta = new JsonObject(e.data()).getJsonObject("delta");
        text.append(delta.getString("text", ""));
        args.append(delta.getString("partial_json", ""));
      }
    }
    return new String[] {text.toString(), args.toString()};
  }

  /** No four characters of a secret in the text and arguments the client had at any moment. */
  static void assertNoSecretLeft(List<String> soFar, Function<String, String[]> parts) {
    for (String wire : soFar) {
      String[] got = parts.apply(wire);
      String visible = (got[0] + "\n" + got[1]).replaceAll("\\[REDACTED:[a-z0-9_]+]", "#");
      for (String secret : SECRETS) {
        for (int k = 0; k + 4 <= secret.length(); k++) {
          assertThat(visible).doesNotContain(secret.substring(k, k + 4));
        }
      }
    }
  }

  static void everySplit(String upstream, Function<List<byte[]>, List<String>> run, Function<String, String[]> parts) {
    String expectedText = SCRUBBER.scrub(TEXT);
    assertThat(expectedText).contains("[REDACTED:aws_access_key]").contains("[REDACTED:email]");
    byte[] bytes = upstream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      List<String> soFar = run.apply(List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)));
      String[] got = parts.apply(soFar.get(soFar.size() - 1));
      assertThat(got[0]).as("cut at %d", cut).isEqualTo(expectedText);
      JsonObject args = new JsonObject(got[1]);
      assertThat(args.getString("to")).as("cut at %d", cut).isEqualTo("[REDACTED:email]");
      assertThat(args.getString("key")).as("cut at %d", cut).isEqualTo("[REDACTED:aws_access_key]");
      assertNoSecretLeft(soFar, parts);
    }
  }

  @Test
  void chatOverAnthropicIsRedactedAtEverySplitPoint() {
    String request = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    everySplit(anthropicStream(TEXT, ARGS), chunks -> {
      List<String> soFar = new ArrayList<>();
      relay(Endpoint.CHAT_COMPLETIONS, WireFormat.ANTHROPIC_MESSAGES, request, chunks, soFar);
      return soFar;
    }, TranslatedScrubTest::chatParts);
  }

  @Test
  void chatAndMessagesOverGeminiAreRedactedAtEverySplitPoint() {
    String request = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    String gemini = geminiStream(TEXT, ARGS);
    everySplit(gemini, chunks -> {
      List<String> soFar = new ArrayList<>();
      relay(Endpoint.CHAT_COMPLETIONS, UpstreamFormat.GEMINI_GENERATE, request, chunks, soFar);
      return soFar;
    }, TranslatedScrubTest::chatParts);
    everySplit(gemini, chunks -> {
      List<String> soFar = new ArrayList<>();
      relay(Endpoint.MESSAGES, UpstreamFormat.GEMINI_GENERATE, request, chunks, soFar);
      return soFar;
    }, TranslatedScrubTest::anthropicParts);
  }

  @Test
  void messagesOverChatIsRedactedAtEverySplitPoint() {
    String request = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    everySplit(chatStream(TEXT, ARGS), chunks -> {
      List<String> soFar = new ArrayList<>();
      relay(Endpoint.MESSAGES, WireFormat.OPENAI_CHAT, request, chunks, soFar);
      return soFar;
    }, TranslatedScrubTest::anthropicParts);
  }
}
