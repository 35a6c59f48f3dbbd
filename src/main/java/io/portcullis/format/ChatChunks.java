package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The chat completions a translation writes, whole or as a stream of chunks: the fields every chunk repeats
 * (id, object, created, model) set once, one choice per chunk, and the common content delta made
 * from a {@link TextSlot} without a tree.
 */
final class ChatChunks {

  /**
   * A whole chat completion with one choice: its text (null content when there is none and there
   * are tool calls), its tool calls, finish reason and usage.
   */
  static JsonObject completion(String id, Object model, String text, JsonArray calls, String finish, JsonObject usage) {
    JsonObject message = new JsonObject().put("role", "assistant");
    if (text.isEmpty() && !calls.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", text);
    }
    message.putNull("refusal");
    if (!calls.isEmpty()) {
      message.put("tool_calls", calls);
    }
    return new JsonObject().put("id", id).put("object", "chat.completion").put("created", System.currentTimeMillis() / 1000)
        .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
            .putNull("logprobs").put("finish_reason", finish))).put("usage", usage);
  }

  private final JsonObject base;
  private final TextSlot content;

  ChatChunks(String id, Object model) {
    this.base = new JsonObject().put("id", id).put("object", "chat.completion.chunk")
        .put("created", System.currentTimeMillis() / 1000).put("model", model);
    this.content = TextSlot.of(json(new JsonObject().put("content", TextSlot.mark()), null));
  }

  /** A chunk with one choice: its delta, and its finish reason (null while it goes on). */
  SseEvent chunk(JsonObject delta, String finish) {
    return SseEvent.ofData(json(delta, finish).encode());
  }

  /** A chunk that adds {@code text} to the answer. */
  SseEvent content(String text) {
    return SseEvent.ofData(content.fill(text));
  }

  /** The usage chunk ({@code stream_options.include_usage}): no choices, the usage. */
  SseEvent usage(JsonObject usage) {
    return SseEvent.ofData(base.copy().put("choices", new JsonArray()).put("usage", usage).encode());
  }

  private JsonObject json(JsonObject delta, String finish) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    return base.copy().put("choices", new JsonArray().add(choice));
  }
}
