package io.portcullis.mock;

import static io.portcullis.mock.MockReplies.IDS;
import static io.portcullis.mock.MockReplies.bounded;
import static io.portcullis.mock.MockReplies.countPromptWords;
import static io.portcullis.mock.MockReplies.json;
import static io.portcullis.mock.MockReplies.lastUserText;
import static io.portcullis.mock.MockReplies.toolInput;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The mock's Anthropic Messages answers, whole and streamed. */
final class AnthropicReplies {

  private AnthropicReplies() {}

  static void messages(MockExchange ex) {
    String last = lastUserText(ex.body().getJsonArray("messages", new JsonArray()));
    // "/tool <arguments>" answers with a tool_use block whose input streams as partial JSON
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour());
    List<String> tokens = bounded(all, ex, "max_tokens");
    String stop = tokens.size() < all.size() ? "max_tokens" : toolCall ? "tool_use" : "end_turn";
    int reported = ex.behaviour().reported(tokens.size());
    int inputTokens = countPromptWords(ex.body().getJsonArray("messages", new JsonArray()));
    String id = "msg_mock" + IDS.incrementAndGet();
    if (!ex.body().getBoolean("stream", false)) {
      JsonObject block = new JsonObject().put("type", "text").put("text", String.join("", tokens));
      if (toolCall) {
        block = new JsonObject().put("type", "tool_use").put("id", "toolu_mock1").put("name", "lookup")
            .put("input", toolInput(String.join("", tokens)));
      }
      json(ex.req().response(), 200, new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
          .put("model", ex.model())
          .put("content", new JsonArray().add(block))
          .put("stop_reason", stop).putNull("stop_sequence")
          .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", reported)));
      return;
    }
    new MockStream(ex, tokens.size()) {
      @Override
      void opening(StringBuilder out) {
        event(out, "message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
            .put("id", id).put("type", "message").put("role", "assistant").put("content", new JsonArray())
            .put("model", ex.model()).putNull("stop_reason").putNull("stop_sequence")
            .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", 1))).encode());
        JsonObject block = toolCall
            ? new JsonObject().put("type", "tool_use").put("id", "toolu_mock1").put("name", "lookup").put("input", new JsonObject())
            : new JsonObject().put("type", "text").put("text", "");
        event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
            .put("content_block", block).encode());
        event(out, "ping", "{\"type\": \"ping\"}");
      }

      @Override
      void token(StringBuilder out, int k) {
        JsonObject delta = toolCall ? new JsonObject().put("type", "input_json_delta").put("partial_json", tokens.get(k))
            : new JsonObject().put("type", "text_delta").put("text", tokens.get(k));
        event(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
            .put("delta", delta).encode());
      }

      @Override
      void closing(StringBuilder out) {
        event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(out, "message_delta", new JsonObject().put("type", "message_delta")
            .put("delta", new JsonObject().put("stop_reason", stop).putNull("stop_sequence"))
            .put("usage", new JsonObject().put("output_tokens", reported)).encode());
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
      }

      @Override
      void malformed(StringBuilder out) {
        out.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"oops\n\n");
      }
    }.start();
  }
}
