package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The text of an Anthropic Messages stream: {@code text_delta.text}, {@code thinking_delta.thinking}
 * and {@code input_json_delta.partial_json}, one channel per content block. Held text goes out in a
 * {@code content_block_delta} of its own just before that block's {@code content_block_stop}.
 *
 * <p>The events the grammar knows are those of the Messages API; an event of another type, a delta
 * of another type, or data that is not JSON is refused. {@code signature_delta} passes as it is (a
 * signature over the thinking text, not text).
 */
final class AnthropicStreamText implements StreamText {

  private static final Set<String> PASSING = Set.of("message_start", "message_delta", "ping");

  private final TextFilter.Factory filters;
  private final Map<Integer, TextFilter> channels = new HashMap<>();
  private final Map<Integer, String> deltaTypes = new HashMap<>();

  AnthropicStreamText(TextFilter.Factory filters) {
    this.filters = filters;
  }

  @Override
  public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
    if (!event.hasData()) {
      emit.accept(event);
      return true;
    }
    JsonObject data;
    try {
      data = new JsonObject(event.data());
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
    String type = event.type() != null ? event.type() : data.getString("type");
    if (type == null) {
      return false;
    }
    int index = data.getValue("index") instanceof Number n ? n.intValue() : 0;
    switch (type) {
      case "message_start" -> {
        // the message opens empty: content arrives in blocks
        if (data.getValue("message") instanceof JsonObject m && m.getValue("content") instanceof JsonArray c && !c.isEmpty()) {
          return false;
        }
        emit.accept(event);
      }
      case "content_block_start" -> {
        return blockStart(event, data, index, emit);
      }
      case "content_block_delta" -> {
        return delta(event, data, index, emit);
      }
      case "content_block_stop" -> {
        flush(index, emit);
        emit.accept(event);
      }
      case "message_stop" -> {
        onEnd(emit);
        emit.accept(event);
      }
      case "error" -> {
        return error(event, data, emit);
      }
      default -> {
        if (!PASSING.contains(type)) {
          return false;
        }
        emit.accept(event);
      }
    }
    return true;
  }

  /** A block starts: a text block may already carry text, which goes through its channel. */
  private boolean blockStart(SseEvent event, JsonObject data, int index, Consumer<SseEvent> emit) {
    if (!(data.getValue("content_block") instanceof JsonObject block)) {
      return false;
    }
    String field = switch (String.valueOf(block.getValue("type"))) {
      case "text" -> "text";
      case "thinking" -> "thinking";
      default -> null;
    };
    if (field != null && block.getValue(field) instanceof String text && !text.isEmpty()) {
      deltaTypes.putIfAbsent(index, field + "_delta");
      String out = channel(index).feed(text);
      if (!out.equals(text)) {
        block.put(field, out);
        emit.accept(event.withData(data.encode()));
        return true;
      }
    }
    emit.accept(event);
    return true;
  }

  private boolean delta(SseEvent event, JsonObject data, int index, Consumer<SseEvent> emit) {
    if (!(data.getValue("delta") instanceof JsonObject delta) || !(delta.getValue("type") instanceof String deltaType)) {
      return false;
    }
    String field = textField(deltaType);
    if (field == null) {
      if (!"signature_delta".equals(deltaType)) {
        return false;
      }
      emit.accept(event);
      return true;
    }
    if (!(delta.getValue(field) instanceof String text)) {
      return false;
    }
    deltaTypes.putIfAbsent(index, deltaType);
    String out = channel(index).feed(text);
    if (out.isEmpty() && !text.isEmpty()) {
      return true; // all of its text is held back: a delta event that says nothing is not sent
    }
    if (!out.equals(text)) {
      delta.put(field, out);
      emit.accept(event.withData(data.encode()));
    } else {
      emit.accept(event);
    }
    return true;
  }

  /** The field holding a delta type's text, or null for a delta that carries none. */
  private static String textField(String deltaType) {
    return switch (deltaType) {
      case "text_delta" -> "text";
      case "thinking_delta" -> "thinking";
      case "input_json_delta" -> "partial_json";
      default -> null;
    };
  }

  /** A provider's error in the stream: known, and its message is text like any other. */
  private boolean error(SseEvent event, JsonObject data, Consumer<SseEvent> emit) {
    if (data.getValue("error") instanceof JsonObject error && error.getValue("message") instanceof String message) {
      String out = Texts.filterWhole(filters, message);
      if (!out.equals(message)) {
        error.put("message", out);
        emit.accept(event.withData(data.encode()));
        return true;
      }
    }
    emit.accept(event);
    return true;
  }

  private TextFilter channel(int index) {
    return channels.computeIfAbsent(index, i -> filters.open("input_json_delta".equals(deltaTypes.get(i))));
  }

  @Override
  public void onEnd(Consumer<SseEvent> emit) {
    for (Integer index : List.copyOf(channels.keySet())) {
      flush(index, emit);
    }
  }

  private void flush(int index, Consumer<SseEvent> emit) {
    TextFilter channel = channels.remove(index);
    if (channel == null) {
      return;
    }
    String rest = channel.finish();
    if (rest.isEmpty()) {
      return;
    }
    String deltaType = deltaTypes.getOrDefault(index, "text_delta");
    JsonObject delta = new JsonObject().put("type", deltaType).put(textField(deltaType), rest);
    JsonObject data = new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta);
    emit.accept(new SseEvent(List.of(new SseField("event", "content_block_delta"), SseField.data(data.encode()))));
  }
}
