package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The text of a Responses API stream. Text arrives as typed deltas, one channel per output item
 * and part: {@code output_text}, {@code refusal}, reasoning summaries and reasoning text by
 * {@code (output_index, content_index | summary_index)}, function-call arguments by {@code
 * output_index} (JSON source). The stream then repeats each whole text, in the part's and item's
 * {@code .done} events and in the final response: those are replaced with what the channel let
 * out, so a repeat can never show what the deltas did not (and is never counted twice). Text held
 * when a {@code .done} comes goes out first as a delta of its own. A whole text that arrived
 * without deltas (an item that came whole) goes through a filter of its own.
 *
 * <p>The events the grammar knows are those of the Responses API for text, function calls,
 * reasoning and the hosted tools' progress; any other, or data that is not JSON, is refused.
 * Token log probabilities quote the text token by token and cannot be rewritten with it: they are
 * sent empty.
 */
final class ResponsesStreamText implements StreamText {

  /** Events that carry no text of their own (progress of hosted tools, keep-alives). */
  private static final Set<String> PASSING = Set.of("response.web_search_call.in_progress", "response.web_search_call.searching",
      "response.web_search_call.completed", "response.file_search_call.in_progress", "response.file_search_call.searching",
      "response.file_search_call.completed", "response.image_generation_call.in_progress",
      "response.image_generation_call.generating", "response.image_generation_call.completed",
      "response.image_generation_call.partial_image", "response.code_interpreter_call.in_progress",
      "response.code_interpreter_call.interpreting", "response.code_interpreter_call.completed", "response.mcp_call.in_progress",
      "response.mcp_call.completed", "response.mcp_call.failed", "response.mcp_list_tools.in_progress",
      "response.mcp_list_tools.completed", "response.mcp_list_tools.failed", "keepalive");

  /** One channel: its filter and all it has let out (what repeats of the whole text become). */
  private static final class Channel {
    final TextFilter filter;
    final StringBuilder out = new StringBuilder();
    final String deltaType;
    JsonObject ids;
    boolean done;

    Channel(TextFilter filter, String deltaType) {
      this.filter = filter;
      this.deltaType = deltaType;
    }
  }

  private final TextFilter.Factory filters;
  private final Map<String, Channel> channels = new LinkedHashMap<>();

  ResponsesStreamText(TextFilter.Factory filters) {
    this.filters = filters;
  }

  /** The delta event types, and the key and field their whole text is repeated under in {@code .done}. */
  private static String doneField(String family) {
    return switch (family) {
      case "response.output_text", "response.reasoning_summary_text", "response.reasoning_text" -> "text";
      case "response.refusal" -> "refusal";
      case "response.function_call_arguments", "response.mcp_call_arguments" -> "arguments";
      case "response.code_interpreter_call_code" -> "code";
      default -> null;
    };
  }

  private static String key(String family, JsonObject data) {
    int output = data.getValue("output_index") instanceof Number n ? n.intValue() : 0;
    return switch (family) {
      case "response.output_text", "response.refusal" -> output + "/c" + index(data, "content_index");
      case "response.reasoning_summary_text" -> output + "/s" + index(data, "summary_index");
      case "response.reasoning_text" -> output + "/r" + index(data, "content_index");
      default -> output + "/a"; // arguments and code: one per item
    };
  }

  private static int index(JsonObject data, String field) {
    return data.getValue(field) instanceof Number n ? n.intValue() : 0;
  }

  @Override
  public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
    if (!event.hasData()) {
      emit.accept(event);
      return true;
    }
    ResponsesTextDelta plain = ResponsesTextDelta.of(event.data());
    if (plain != null) {
      return plainDelta(event, plain, emit);
    }
    JsonObject data = Bridge.json(event);
    if (data == null || !(data.getValue("type") instanceof String type)) {
      return false;
    }
    if (type.endsWith(".delta")) {
      String family = type.substring(0, type.length() - ".delta".length());
      return doneField(family) != null && delta(event, data, family, emit);
    }
    if (type.endsWith(".done") && doneField(type.substring(0, type.length() - ".done".length())) != null) {
      String family = type.substring(0, type.length() - ".done".length());
      return done(event, data, family, emit);
    }
    boolean changed;
    switch (type) {
      case "response.created", "response.in_progress", "response.queued", "response.completed", "response.incomplete",
          "response.failed" -> {
        if (!(data.getValue("response") instanceof JsonObject response)) {
          return false;
        }
        if (type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed")) {
          onEnd(emit);
        }
        changed = response(response);
      }
      case "response.output_item.added", "response.output_item.done" -> {
        if (!(data.getValue("item") instanceof JsonObject item)) {
          return false;
        }
        int output = index(data, "output_index");
        if (type.endsWith(".done")) {
          flushItem(output, emit);
        }
        changed = item(item, output);
      }
      case "response.content_part.added", "response.content_part.done", "response.reasoning_summary_part.added",
          "response.reasoning_summary_part.done" -> {
        if (!(data.getValue("part") instanceof JsonObject part)) {
          return false;
        }
        boolean summary = type.startsWith("response.reasoning_summary");
        String key = index(data, "output_index") + (summary ? "/s" + index(data, "summary_index") : "/c" + index(data, "content_index"));
        if (type.endsWith(".done")) {
          flush(key, emit);
        }
        changed = part(part, key);
      }
      case "response.output_text.annotation.added" -> changed = strings(data.getValue("annotation"));
      case "error" -> {
        changed = false;
        if (data.getValue("message") instanceof String m) {
          String out = Texts.filterWhole(filters, m);
          changed = !out.equals(m);
          data.put("message", out);
        }
      }
      default -> {
        if (!PASSING.contains(type)) {
          return false;
        }
        changed = false;
      }
    }
    emit.accept(changed ? event.withData(data.encode()) : event);
    return true;
  }

  private boolean delta(SseEvent event, JsonObject data, String family, Consumer<SseEvent> emit) {
    if (!(data.getValue("delta") instanceof String text)) {
      return false;
    }
    String key = key(family, data);
    Channel channel = channels.get(key);
    if (channel == null) {
      boolean json = doneField(family).equals("arguments");
      channel = new Channel(filters.open(json), family + ".delta");
      channels.put(key, channel);
    }
    if (channel.ids == null) {
      channel.ids = ids(data);
    }
    String out = channel.filter.feed(text);
    channel.out.append(out);
    boolean logprobs = data.getValue("logprobs") instanceof JsonArray l && !l.isEmpty();
    if (out.isEmpty() && !text.isEmpty()) {
      return true; // all held: an event that says nothing is not sent
    }
    if (!out.equals(text) || logprobs) {
      data.put("delta", out);
      if (logprobs) {
        data.put("logprobs", new JsonArray());
      }
      emit.accept(event.withData(data.encode()));
    } else {
      emit.accept(event);
    }
    return true;
  }

  /** The common event, read without a tree: its text through its channel, spliced back in when it changed. */
  private boolean plainDelta(SseEvent event, ResponsesTextDelta plain, Consumer<SseEvent> emit) {
    String key = plain.outputIndex() + "/c" + plain.contentIndex();
    Channel channel = channels.get(key);
    if (channel == null) {
      channel = new Channel(filters.open(false), "response.output_text.delta");
      channels.put(key, channel);
    }
    if (channel.ids == null) {
      channel.ids = new JsonObject().put("item_id", plain.itemId()).put("output_index", plain.outputIndex())
          .put("content_index", plain.contentIndex());
    }
    String text = plain.delta();
    String out = channel.filter.feed(text);
    channel.out.append(out);
    if (out.isEmpty() && !text.isEmpty()) {
      return true; // all held: an event that says nothing is not sent
    }
    emit.accept(out.equals(text) ? event : event.withData(plain.with(out)));
    return true;
  }

  /** The ids a synthetic delta of the channel copies (item, output and content or summary index). */
  private static JsonObject ids(JsonObject data) {
    JsonObject ids = new JsonObject();
    for (String field : new String[] {"item_id", "output_index", "content_index", "summary_index"}) {
      if (data.containsKey(field)) {
        ids.put(field, data.getValue(field));
      }
    }
    return ids;
  }

  private boolean done(SseEvent event, JsonObject data, String family, Consumer<SseEvent> emit) {
    String field = doneField(family);
    String key = key(family, data);
    flush(key, emit);
    if (!(data.getValue(field) instanceof String whole)) {
      return false;
    }
    String out = replacement(key, whole, field.equals("arguments"));
    if (out.equals(whole)) {
      emit.accept(event);
    } else {
      data.put(field, out);
      emit.accept(event.withData(data.encode()));
    }
    return true;
  }

  /** What a repeat of a channel's whole text becomes: what the channel let out, or (no deltas came) the text filtered whole. */
  private String replacement(String key, String whole, boolean json) {
    Channel channel = channels.get(key);
    if (channel != null) {
      return channel.out.toString();
    }
    TextFilter once = filters.open(json);
    return once.feed(whole) + once.finish();
  }

  private void flush(String key, Consumer<SseEvent> emit) {
    Channel channel = channels.get(key);
    if (channel == null || channel.done) {
      return;
    }
    channel.done = true;
    String rest = channel.filter.finish();
    if (rest.isEmpty()) {
      return;
    }
    channel.out.append(rest);
    JsonObject data = new JsonObject().put("type", channel.deltaType).mergeIn(channel.ids).put("delta", rest);
    if (channel.deltaType.equals("response.output_text.delta")) {
      data.put("logprobs", new JsonArray());
    }
    emit.accept(Bridge.named(channel.deltaType, data));
  }

  private void flushItem(int output, Consumer<SseEvent> emit) {
    String prefix = output + "/";
    for (String key : channels.keySet().toArray(new String[0])) {
      if (key.startsWith(prefix)) {
        flush(key, emit);
      }
    }
  }

  /** A whole response object (created, completed...): its output items, its error. True when changed. */
  private boolean response(JsonObject response) {
    boolean changed = false;
    if (response.getValue("output") instanceof JsonArray output) {
      for (int i = 0; i < output.size(); i++) {
        if (output.getValue(i) instanceof JsonObject item) {
          changed |= item(item, i);
        }
      }
    }
    if (response.getValue("error") instanceof JsonObject error && error.getValue("message") instanceof String m) {
      String out = Texts.filterWhole(filters, m);
      changed |= !out.equals(m);
      error.put("message", out);
    }
    return changed;
  }

  /** An output item's texts: from their channels, or filtered whole. True when changed. */
  private boolean item(JsonObject item, int output) {
    boolean changed = false;
    switch (String.valueOf(item.getValue("type"))) {
      case "message" -> {
        if (item.getValue("content") instanceof JsonArray parts) {
          for (int c = 0; c < parts.size(); c++) {
            if (parts.getValue(c) instanceof JsonObject part) {
              changed |= part(part, output + "/c" + c);
            }
          }
        }
      }
      case "function_call", "mcp_call" -> changed = text(item, "arguments", output + "/a", true);
      case "code_interpreter_call" -> changed = text(item, "code", output + "/a", false);
      case "reasoning" -> {
        for (String list : new String[] {"summary", "content"}) {
          if (item.getValue(list) instanceof JsonArray parts) {
            for (int c = 0; c < parts.size(); c++) {
              if (parts.getValue(c) instanceof JsonObject part) {
                changed |= text(part, "text", output + (list.equals("summary") ? "/s" : "/r") + c, false);
              }
            }
          }
        }
      }
      default -> changed = strings(item);
    }
    return changed;
  }

  private boolean part(JsonObject part, String key) {
    return text(part, "text", key, false) | text(part, "refusal", key, false);
  }

  private boolean text(JsonObject holder, String field, String key, boolean json) {
    if (!(holder.getValue(field) instanceof String whole) || whole.isEmpty()) {
      return false;
    }
    String out = replacement(key, whole, json);
    if (out.equals(whole)) {
      return false;
    }
    holder.put(field, out);
    return true;
  }

  /** Every string of an object the grammar does not look into (a hosted tool's item, an annotation), filtered whole. */
  private boolean strings(Object node) {
    boolean changed = false;
    if (node instanceof JsonObject o) {
      for (String field : o.fieldNames().toArray(new String[0])) {
        Object v = o.getValue(field);
        if (v instanceof String s && !field.equals("type") && !field.equals("id") && !field.endsWith("_id")) {
          String out = Texts.filterWhole(filters, s);
          if (!out.equals(s)) {
            o.put(field, out);
            changed = true;
          }
        } else {
          changed |= strings(v);
        }
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.getValue(i) instanceof String s) {
          String out = Texts.filterWhole(filters, s);
          if (!out.equals(s)) {
            a.set(i, out);
            changed = true;
          }
        } else {
          changed |= strings(a.getValue(i));
        }
      }
    }
    return changed;
  }

  @Override
  public void onEnd(Consumer<SseEvent> emit) {
    for (String key : channels.keySet().toArray(new String[0])) {
      flush(key, emit);
    }
  }
}
