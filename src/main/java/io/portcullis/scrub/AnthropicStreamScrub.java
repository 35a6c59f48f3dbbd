package io.portcullis.scrub;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEventHook;
import io.portcullis.sse.SseField;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scrubs an Anthropic Messages stream: {@code text_delta.text} and {@code input_json_delta.partial_json}
 * of each content block, one engine per block. Held text goes out in a {@code content_block_delta}
 * of its own just before that block's {@code content_block_stop}. An unparsable event is dropped.
 */
final class AnthropicStreamScrub implements SseEventHook {

  private final Scrubber scrubber;
  private final Consumer<String> onRedaction;
  private final Map<Integer, StreamScrubber> engines = new HashMap<>();
  private final Map<Integer, String> deltaTypes = new HashMap<>();

  AnthropicStreamScrub(Scrubber scrubber, Consumer<String> onRedaction) {
    this.scrubber = scrubber;
    this.onRedaction = onRedaction;
  }

  @Override
  public void onEvent(SseEvent event, Consumer<SseEvent> emit) {
    if (!event.hasData()) {
      emit.accept(event);
      return;
    }
    String type = event.type();
    if (!"content_block_delta".equals(type) && !"content_block_stop".equals(type) && !"message_stop".equals(type)) {
      emit.accept(event);
      return;
    }
    JsonObject data;
    try {
      data = new JsonObject(event.data());
    } catch (DecodeException | ClassCastException e) {
      onRedaction.accept("unparsable_event");
      return;
    }
    int index = data.getInteger("index", 0);
    if ("content_block_stop".equals(type)) {
      flush(index, emit);
    } else if ("message_stop".equals(type)) {
      onEnd(emit);
    } else if (data.getValue("delta") instanceof JsonObject delta) {
      String field = "input_json_delta".equals(delta.getString("type")) ? "partial_json" : "text";
      if (delta.getValue(field) instanceof String text) {
        deltaTypes.putIfAbsent(index, delta.getString("type", "text_delta"));
        String out = engines.computeIfAbsent(index, i -> scrubber.stream(onRedaction)).feed(text);
        if (!out.equals(text)) {
          delta.put(field, out);
          emit.accept(event.withData(data.encode()));
          return;
        }
      }
    }
    emit.accept(event);
  }

  @Override
  public void onEnd(Consumer<SseEvent> emit) {
    for (Integer index : List.copyOf(engines.keySet())) {
      flush(index, emit);
    }
  }

  private void flush(int index, Consumer<SseEvent> emit) {
    StreamScrubber engine = engines.remove(index);
    if (engine == null) {
      return;
    }
    String rest = engine.finish();
    if (rest.isEmpty()) {
      return;
    }
    String deltaType = deltaTypes.getOrDefault(index, "text_delta");
    JsonObject delta = new JsonObject().put("type", deltaType)
        .put("input_json_delta".equals(deltaType) ? "partial_json" : "text", rest);
    JsonObject data = new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta);
    emit.accept(new SseEvent(List.of(new SseField("event", "content_block_delta"), SseField.data(data.encode()))));
  }
}
