package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The text of an OpenAI chat-completions stream: the JSON-decoded {@code delta.content} and each
 * {@code delta.tool_calls[].function.arguments}, one channel per choice and per tool call. An event
 * whose text passes unchanged goes on byte for byte; one whose text changed is re-encoded with every
 * other field kept. Text still held when a choice finishes goes out in an event of its own just
 * before that choice's finish chunk.
 *
 * <p>The events the grammar knows: {@code [DONE]}, chunks with a {@code choices} array (the usage
 * chunk has an empty one), and a provider's {@code error} object (its message goes through a filter
 * too). Anything else, and anything that is not JSON, is refused.
 *
 * <p>Most events of a stream are plain text deltas: one choice, a {@code content} string, no
 * finish and no tool calls. Those are read with a streaming parser that notes where the content
 * string lies in the event, and a changed text is spliced in there, without building and
 * re-encoding a JSON tree; every other event takes the general path. A plain delta whose text is all
 * held back, and which carries nothing but what every chunk repeats, is not sent: the client gets
 * no event that carries nothing new (the held text follows in a later one).
 */
final class OpenAiChatStreamText implements StreamText {

  private final TextFilter.Factory filters;
  /** Channels by "choice" or "choice/tool"; insertion order is the order text first appeared. */
  private final Map<String, TextFilter> channels = new LinkedHashMap<>();
  /** The last chunk seen: flush events copy its id, model and the like. */
  private String template;
  /** Text a finishing chunk released, to go out ahead of the choice's held text. */
  private final Map<String, String> pendingText = new HashMap<>();

  OpenAiChatStreamText(TextFilter.Factory filters) {
    this.filters = filters;
  }

  @Override
  public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
    if (!event.hasData()) {
      emit.accept(event);
      return true;
    }
    if (event.isDone()) {
      flushAll(emit);
      emit.accept(event);
      return true;
    }
    String data = event.data();
    PlainDelta plain = PlainDelta.of(data);
    if (plain != null) {
      template = data;
      String out = channel(plain.index() + "").feed(plain.content());
      if (out.isEmpty() && !plain.content().isEmpty() && plain.bare()) {
        return true; // all of its text is held back and it says nothing else: no event at all
      }
      emit.accept(out.equals(plain.content()) ? event : event.withData(plain.with(out)));
      return true;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
    if (!(chunk.getValue("choices") instanceof JsonArray choices)) {
      return error(chunk, event, emit);
    }
    template = data;
    boolean changed = false;
    for (int i = 0; i < choices.size(); i++) {
      if (!(choices.getValue(i) instanceof JsonObject choice)) {
        return false;
      }
      int index = choice.getInteger("index", 0);
      JsonObject delta = choice.getJsonObject("delta");
      boolean finishing = choice.getValue("finish_reason") != null;
      if (delta != null) {
        changed |= filterDelta(delta, index);
      }
      if (finishing) {
        // what this chunk released must come before what the choice still held, and all of it
        // before the finish: move it into the flush events and leave the finish chunk empty
        if (delta != null && delta.getValue("content") instanceof String released && !released.isEmpty()) {
          channels.computeIfAbsent(index + "", k -> filters.open(false));
          pendingText.put(index + "", released);
          delta.put("content", "");
          changed = true;
        }
        flushChoice(index, emit);
      }
    }
    emit.accept(changed ? event.withData(chunk.encode()) : event);
    return true;
  }

  /** A provider's error in the stream: known, and its message is text like any other. */
  private boolean error(JsonObject chunk, SseEvent event, Consumer<SseEvent> emit) {
    if (!(chunk.getValue("error") instanceof JsonObject error)) {
      return false;
    }
    if (error.getValue("message") instanceof String message) {
      String out = Texts.filterWhole(filters, message);
      if (!out.equals(message)) {
        error.put("message", out);
        emit.accept(event.withData(chunk.encode()));
        return true;
      }
    }
    emit.accept(event);
    return true;
  }

  private boolean filterDelta(JsonObject delta, int index) {
    boolean changed = false;
    if (delta.getValue("content") instanceof String content) {
      String out = channel(index + "").feed(content);
      if (!out.equals(content)) {
        delta.put("content", out);
        changed = true;
      }
    }
    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
      for (int t = 0; t < calls.size(); t++) {
        if (calls.getValue(t) instanceof JsonObject call && call.getValue("function") instanceof JsonObject fn
            && fn.getValue("arguments") instanceof String args) {
          String out = channel(index + "/" + call.getInteger("index", t)).feed(args);
          if (!out.equals(args)) {
            fn.put("arguments", out);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  private TextFilter channel(String key) {
    return channels.computeIfAbsent(key, k -> filters.open(key.indexOf('/') >= 0));
  }

  /** Releases what one choice still holds, in events placed before its finish chunk. */
  private void flushChoice(int index, Consumer<SseEvent> emit) {
    String prefix = index + "";
    channels.entrySet().removeIf(e -> {
      String key = e.getKey();
      if (!key.equals(prefix) && !key.startsWith(prefix + "/")) {
        return false;
      }
      String released = pendingText.remove(key);
      String rest = (released == null ? "" : released) + e.getValue().finish();
      if (!rest.isEmpty()) {
        emit.accept(SseEvent.ofData(flushChunk(index, key, rest).encode()));
      }
      return true;
    });
  }

  private void flushAll(Consumer<SseEvent> emit) {
    for (String key : List.copyOf(channels.keySet())) {
      if (channels.containsKey(key)) {
        flushChoice(Integer.parseInt(key.split("/")[0]), emit);
      }
    }
  }

  @Override
  public void onEnd(Consumer<SseEvent> emit) {
    flushAll(emit);
  }

  /** A chunk like the stream's own (id, model, created...) carrying only the released text. */
  private JsonObject flushChunk(int index, String key, String text) {
    JsonObject chunk = template == null ? new JsonObject().put("object", "chat.completion.chunk") : new JsonObject(template);
    JsonObject delta = new JsonObject();
    int slash = key.indexOf('/');
    if (slash < 0) {
      delta.put("content", text);
    } else {
      delta.put("tool_calls", new JsonArray().add(new JsonObject()
          .put("index", Integer.parseInt(key.substring(slash + 1)))
          .put("function", new JsonObject().put("arguments", text))));
    }
    JsonObject choice = new JsonObject().put("index", index).put("delta", delta).putNull("finish_reason");
    chunk.put("choices", new JsonArray().add(choice));
    if (chunk.containsKey("usage")) {
      chunk.putNull("usage");
    }
    return chunk;
  }
}
