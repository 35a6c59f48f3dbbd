package io.portcullis.scrub;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEventHook;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scrubs an OpenAI chat-completions stream: the JSON-decoded text of {@code delta.content} and of
 * each {@code delta.tool_calls[].function.arguments}, one engine per choice and per tool call. An
 * event whose text passes unchanged goes on byte for byte; one whose text changed is re-encoded
 * with every other field kept. Text still held when a choice finishes goes out in an event of its
 * own just before that choice's finish chunk. An event that cannot be parsed cannot be scanned, so
 * it is dropped (fail closed).
 *
 * <p>Most events of a stream are plain text deltas: one choice, a {@code content} string, no
 * finish and no tool calls. Those are read with a streaming parser that notes where the content
 * string lies in the event, and a changed text is spliced in there, without building and
 * re-encoding a JSON tree; every other event takes the general path.
 */
final class OpenAiStreamScrub implements SseEventHook {

  private final Scrubber scrubber;
  private final Consumer<String> onRedaction;
  /** Engines by "choice" or "choice/tool"; insertion order is the order text first appeared. */
  private final Map<String, StreamScrubber> engines = new LinkedHashMap<>();
  /** The last chunk seen: flush events copy its id, model and the like. */
  private String template;
  /** Text a finishing chunk released, to go out ahead of the choice's held text. */
  private final Map<String, String> pendingText = new java.util.HashMap<>();

  OpenAiStreamScrub(Scrubber scrubber, Consumer<String> onRedaction) {
    this.scrubber = scrubber;
    this.onRedaction = onRedaction;
  }

  @Override
  public void onEvent(SseEvent event, Consumer<SseEvent> emit) {
    if (!event.hasData()) {
      emit.accept(event);
      return;
    }
    if (event.isDone()) {
      flushAll(emit);
      emit.accept(event);
      return;
    }
    String data = event.data();
    PlainDelta plain = PlainDelta.of(data);
    if (plain != null) {
      template = data;
      String out = engine(plain.index() + "").feed(plain.content());
      emit.accept(out.equals(plain.content()) ? event : event.withData(plain.with(out)));
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      onRedaction.accept("unparsable_event");
      return;
    }
    template = data;
    JsonArray choices = chunk.getJsonArray("choices");
    if (choices == null || choices.isEmpty()) {
      emit.accept(event);
      return;
    }
    boolean changed = false;
    for (int i = 0; i < choices.size(); i++) {
      if (!(choices.getValue(i) instanceof JsonObject choice)) {
        continue;
      }
      int index = choice.getInteger("index", 0);
      JsonObject delta = choice.getJsonObject("delta");
      boolean finishing = choice.getValue("finish_reason") != null;
      if (delta != null) {
        changed |= scrubDelta(chunk, delta, index, finishing, emit);
      }
      if (finishing) {
        // what this chunk released must come before what the choice still held, and all of it
        // before the finish: move it into the flush events and leave the finish chunk empty
        if (delta != null && delta.getValue("content") instanceof String released && !released.isEmpty()) {
          engines.computeIfAbsent(index + "", k -> scrubber.stream(onRedaction));
          pendingText.put(index + "", released);
          delta.put("content", "");
          changed = true;
        }
        flushChoice(index, emit);
      }
    }
    emit.accept(changed ? event.withData(chunk.encode()) : event);
  }

  private boolean scrubDelta(JsonObject chunk, JsonObject delta, int index, boolean finishing, Consumer<SseEvent> emit) {
    boolean changed = false;
    if (delta.getValue("content") instanceof String content) {
      String out = engine(index + "").feed(content);
      if (!out.equals(content)) {
        delta.put("content", out);
        changed = true;
      }
    }
    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
      for (int t = 0; t < calls.size(); t++) {
        if (calls.getValue(t) instanceof JsonObject call && call.getValue("function") instanceof JsonObject fn
            && fn.getValue("arguments") instanceof String args) {
          String out = engine(index + "/" + call.getInteger("index", t)).feed(args);
          if (!out.equals(args)) {
            fn.put("arguments", out);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  private StreamScrubber engine(String key) {
    return engines.computeIfAbsent(key, k -> scrubber.stream(onRedaction));
  }

  /** Releases what one choice still holds, in events placed before its finish chunk. */
  private void flushChoice(int index, Consumer<SseEvent> emit) {
    String prefix = index + "";
    engines.entrySet().removeIf(e -> {
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
    for (String key : java.util.List.copyOf(engines.keySet())) {
      if (engines.containsKey(key)) {
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
