package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The chunks of a chat-completions stream a translation writes: the fields every chunk repeats
 * (id, object, created, model) set once, one choice per chunk, and the common content delta made
 * from a {@link TextSlot} without a tree.
 */
final class ChatChunks {

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
