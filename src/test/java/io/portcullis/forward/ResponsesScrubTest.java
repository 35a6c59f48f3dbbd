package io.portcullis.forward;

import static io.portcullis.forward.TranslatedScrubTest.ARGS;
import static io.portcullis.forward.TranslatedScrubTest.SCRUBBER;
import static io.portcullis.forward.TranslatedScrubTest.SECRETS;
import static io.portcullis.forward.TranslatedScrubTest.TEXT;
import static io.portcullis.forward.TranslatedScrubTest.parse;
import static io.portcullis.forward.TranslatedScrubTest.pieces;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.format.UpstreamFormat;
import io.portcullis.format.WireFormat;
import io.portcullis.ingress.Endpoint;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redaction of Responses API streams, relayed as they are and translated from chat completions and
 * from Anthropic: at every split point of the provider's bytes, the deltas a client reassembles are
 * block-mode scrubbing of the whole text, and every repeat of a whole text (the part's and item's
 * {@code .done} events, the final response) is exactly what the deltas gave: never the original.
 */
class ResponsesScrubTest {

  static final String REQUEST = "{\"model\":\"m\",\"stream\":true,\"input\":\"hi\"}";

  static String typed(String type, JsonObject data, int[] seq) {
    return "event: " + type + "\ndata: " + new JsonObject().put("type", type).mergeIn(data).put("sequence_number", seq[0]++).encode() + "\n\n";
  }

  /** A Responses stream as the API sends it: a message item with {@code text}, then a function call with {@code args}. */
  static String responsesStream(String text, String args) {
    int[] seq = {0};
    StringBuilder out = new StringBuilder();
    JsonObject response = new JsonObject().put("id", "resp_1").put("object", "response").put("status", "in_progress")
        .put("model", "m").put("output", new JsonArray()).putNull("usage");
    out.append(typed("response.created", new JsonObject().put("response", response), seq));
    out.append(typed("response.in_progress", new JsonObject().put("response", response), seq));
    JsonObject msg = new JsonObject().put("type", "message").put("id", "msg_1").put("status", "in_progress").put("role", "assistant").put("content", new JsonArray());
    out.append(typed("response.output_item.added", new JsonObject().put("output_index", 0).put("item", msg), seq));
    JsonObject ids = new JsonObject().put("item_id", "msg_1").put("output_index", 0).put("content_index", 0);
    out.append(typed("response.content_part.added", ids.copy().put("part", new JsonObject().put("type", "output_text").put("text", "").put("annotations", new JsonArray())), seq));
    for (String p : pieces(text)) {
      out.append(typed("response.output_text.delta", ids.copy().put("delta", p).put("logprobs", new JsonArray()), seq));
    }
    JsonObject part = new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray());
    out.append(typed("response.output_text.done", ids.copy().put("text", text).put("logprobs", new JsonArray()), seq));
    out.append(typed("response.content_part.done", ids.copy().put("part", part), seq));
    JsonObject msgDone = msg.copy().put("status", "completed").put("content", new JsonArray().add(part));
    out.append(typed("response.output_item.done", new JsonObject().put("output_index", 0).put("item", msgDone), seq));
    JsonObject call = new JsonObject().put("type", "function_call").put("id", "fc_1").put("call_id", "call_1").put("name", "send")
        .put("arguments", "").put("status", "in_progress");
    out.append(typed("response.output_item.added", new JsonObject().put("output_index", 1).put("item", call), seq));
    for (String p : pieces(args)) {
      out.append(typed("response.function_call_arguments.delta", new JsonObject().put("item_id", "fc_1").put("output_index", 1).put("delta", p), seq));
    }
    out.append(typed("response.function_call_arguments.done", new JsonObject().put("item_id", "fc_1").put("output_index", 1).put("arguments", args), seq));
    JsonObject callDone = call.copy().put("arguments", args).put("status", "completed");
    out.append(typed("response.output_item.done", new JsonObject().put("output_index", 1).put("item", callDone), seq));
    out.append(typed("response.completed", new JsonObject().put("response", response.copy().put("status", "completed")
        .put("output", new JsonArray().add(msgDone).add(callDone))
        .put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 30).put("total_tokens", 35))), seq));
    return out.toString();
  }

  /**
   * The text and arguments a client reassembles from the deltas; and every whole repeat of them
   * must equal those (checked here, so each split point checks them).
   */
  static String[] parts(String wire) {
    StringBuilder text = new StringBuilder();
    StringBuilder args = new StringBuilder();
    List<String> texts = new ArrayList<>();
    List<String> argses = new ArrayList<>();
    for (SseEvent e : parse(wire)) {
      JsonObject data = new JsonObject(e.data());
      assertThat(data.getString("type")).isEqualTo(e.type());
      switch (e.type()) {
        case "response.output_text.delta" -> text.append(data.getString("delta"));
        case "response.function_call_arguments.delta" -> args.append(data.getString("delta"));
        case "response.output_text.done" -> texts.add(data.getString("text"));
        case "response.content_part.done" -> texts.add(data.getJsonObject("part").getString("text"));
        case "response.function_call_arguments.done" -> argses.add(data.getString("arguments"));
        case "response.output_item.done" -> collect(data.getJsonObject("item"), texts, argses);
        case "response.completed" -> data.getJsonObject("response").getJsonArray("output").forEach(i -> collect((JsonObject) i, texts, argses));
        default -> { }
      }
    }
    for (String t : texts) {
      assertThat(t).isEqualTo(text.toString());
    }
    for (String a : argses) {
      assertThat(a).isEqualTo(args.toString());
    }
    return new String[] {text.toString(), args.toString()};
  }

  static void collect(JsonObject item, List<String> texts, List<String> argses) {
    if (item.getString("type").equals("message")) {
      item.getJsonArray("content").forEach(p -> texts.add(((JsonObject) p).getString("text")));
    } else {
      argses.add(item.getString("arguments"));
    }
  }

  static void everySplit(UpstreamFormat upstream, String stream) {
    String expected = SCRUBBER.scrub(TEXT);
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    int completed = 0;
    for (int cut = 0; cut <= bytes.length; cut++) {
      List<String> soFar = new ArrayList<>();
      TranslatedScrubTest.relay(Endpoint.RESPONSES, upstream, REQUEST,
          List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)), soFar);
      String wire = soFar.get(soFar.size() - 1);
      String[] got = parts(wire);
      assertThat(got[0]).as("cut at %d", cut).isEqualTo(expected);
      JsonObject args = new JsonObject(got[1]);
      assertThat(args.getString("to")).isEqualTo("[REDACTED:email]");
      assertThat(args.getString("key")).isEqualTo("[REDACTED:aws_access_key]");
      TranslatedScrubTest.assertNoSecretLeft(soFar, ResponsesScrubTest::parts);
      for (String w : soFar) {
        for (String secret : SECRETS) {
          for (int k = 0; k + 8 <= secret.length(); k++) {
            assertThat(w).as("cut at %d", cut).doesNotContain(secret.substring(k, k + 8));
          }
        }
      }
      completed += wire.contains("\"response.completed\"") ? 1 : 0;
    }
    assertThat(completed).isEqualTo(bytes.length + 1);
  }

  @Test
  void aRelayedResponsesStreamIsRedactedAtEverySplitPoint() {
    everySplit(WireFormat.OPENAI_RESPONSES, responsesStream(TEXT, ARGS));
  }

  @Test
  void responsesTranslatedFromChatAreRedactedAtEverySplitPoint() {
    everySplit(WireFormat.OPENAI_CHAT, TranslatedScrubTest.chatStream(TEXT, ARGS));
  }

  @Test
  void responsesTranslatedFromAnthropicAreRedactedAtEverySplitPoint() {
    everySplit(WireFormat.ANTHROPIC_MESSAGES, TranslatedScrubTest.anthropicStream(TEXT, ARGS));
  }

  @Test
  void responsesTranslatedFromGeminiAreRedactedAtEverySplitPoint() {
    everySplit(UpstreamFormat.GEMINI_GENERATE, TranslatedScrubTest.geminiStream(TEXT, ARGS));
  }
}
