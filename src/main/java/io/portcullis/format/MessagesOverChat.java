package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Anthropic's Messages API served by an OpenAI-format provider. The {@code system} prompt becomes
 * the first message, {@code tool_use} blocks tool calls, {@code tool_result} blocks tool messages
 * (ahead of the rest of their turn, as chat expects results right after the call), images
 * {@code image_url} parts (base64 as {@code data:} URLs). The stream asks for usage so that {@code
 * message_delta} can report it; cached prompt tokens are reported as {@code cache_read_input_tokens}
 * and left out of {@code input_tokens}, as Anthropic counts them.
 */
final class MessagesOverChat implements Translation {

  private static final SseField DELTA_NAME = new SseField("event", "content_block_delta");

  /** Messages fields with no counterpart in chat completions: refused when set. */
  private static final Set<String> REFUSED = Set.of("top_k", "thinking", "container", "mcp_servers");

  @Override
  public WireFormat client() {
    return WireFormat.ANTHROPIC_MESSAGES;
  }

  @Override
  public WireFormat provider() {
    return WireFormat.OPENAI_CHAT;
  }

  @Override
  public JsonObject request(JsonObject body) {
    Bridge.refuse(body, REFUSED, "OpenAI");
    JsonObject out = new JsonObject().put("model", body.getValue("model"));
    JsonArray messages = new JsonArray();
    if (body.getValue("system") != null) {
      messages.add(new JsonObject().put("role", "system").put("content", Bridge.plainText(body.getValue("system"), "system")));
    }
    JsonArray in = body.getJsonArray("messages");
    for (int i = 0; i < in.size(); i++) {
      JsonObject m = in.getJsonObject(i);
      String at = "messages[" + i + "]";
      if ("assistant".equals(m.getValue("role"))) {
        messages.add(assistant(m.getValue("content"), at + ".content"));
      } else {
        user(m.getValue("content"), at + ".content", messages);
      }
    }
    out.put("messages", messages);
    out.put("max_tokens", body.getValue("max_tokens"));
    for (String field : new String[] {"temperature", "top_p", "stream"}) {
      if (body.getValue(field) != null) {
        out.put(field, body.getValue(field));
      }
    }
    if (Boolean.TRUE.equals(body.getValue("stream"))) {
      out.put("stream_options", new JsonObject().put("include_usage", true));
    }
    if (body.getValue("stop_sequences") instanceof JsonArray stops && !stops.isEmpty()) {
      if (stops.size() > 4) {
        throw new Untranslatable("stop_sequences", "OpenAI providers take at most 4 stop sequences");
      }
      out.put("stop", stops.copy());
    }
    if (body.getValue("metadata") instanceof JsonObject meta && meta.getValue("user_id") instanceof String user) {
      out.put("user", user);
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      out.put("tools", tools(tools));
    }
    if (body.getValue("tool_choice") instanceof JsonObject choice) {
      switch (String.valueOf(choice.getValue("type"))) {
        case "auto" -> out.put("tool_choice", "auto");
        case "any" -> out.put("tool_choice", "required");
        case "none" -> out.put("tool_choice", "none");
        case "tool" -> out.put("tool_choice", new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", choice.getString("name", ""))));
        default -> throw new Untranslatable("tool_choice.type", "must be auto, any, none or tool");
      }
      if (Boolean.TRUE.equals(choice.getValue("disable_parallel_tool_use"))) {
        out.put("parallel_tool_calls", false);
      }
    }
    return out;
  }

  /** A user turn: its tool results become tool messages first, then its text and images one user message. */
  private static void user(Object content, String at, JsonArray messages) {
    if (content instanceof String s) {
      messages.add(new JsonObject().put("role", "user").put("content", s));
      return;
    }
    JsonArray blocks = (JsonArray) content;
    JsonArray parts = new JsonArray();
    for (int i = 0; i < blocks.size(); i++) {
      JsonObject block = blocks.getJsonObject(i);
      String bat = at + "[" + i + "]";
      switch (String.valueOf(block.getValue("type"))) {
        case "text" -> parts.add(new JsonObject().put("type", "text").put("text", block.getString("text", "")));
        case "image" -> parts.add(Bridge.openAiImage(block, bat));
        case "tool_result" -> {
          String text = Bridge.plainText(block.getValue("content"), bat + ".content");
          messages.add(new JsonObject().put("role", "tool").put("tool_call_id", block.getString("tool_use_id", ""))
              .put("content", Boolean.TRUE.equals(block.getValue("is_error")) ? "Error: " + text : text));
        }
        default -> throw new Untranslatable(bat + ".type", "'" + block.getValue("type") + "' blocks cannot be expressed for OpenAI providers");
      }
    }
    if (!parts.isEmpty()) {
      messages.add(new JsonObject().put("role", "user").put("content", parts));
    }
  }

  private static JsonObject assistant(Object content, String at) {
    JsonObject message = new JsonObject().put("role", "assistant");
    if (content instanceof String s) {
      return message.put("content", s);
    }
    JsonArray blocks = (JsonArray) content;
    StringBuilder text = new StringBuilder();
    JsonArray calls = new JsonArray();
    for (int i = 0; i < blocks.size(); i++) {
      JsonObject block = blocks.getJsonObject(i);
      switch (String.valueOf(block.getValue("type"))) {
        case "text" -> text.append(block.getString("text", ""));
        case "tool_use" -> calls.add(new JsonObject().put("id", block.getString("id", "")).put("type", "function")
            .put("function", new JsonObject().put("name", block.getString("name", ""))
                .put("arguments", block.getValue("input") instanceof JsonObject input ? input.encode() : "{}")));
        case "thinking", "redacted_thinking" -> { } // the provider's own reasoning of an earlier turn: chat has no place for it
        default -> throw new Untranslatable(at + "[" + i + "].type", "'" + block.getValue("type") + "' blocks cannot be expressed for OpenAI providers");
      }
    }
    if (text.isEmpty() && !calls.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", text.toString());
    }
    if (!calls.isEmpty()) {
      message.put("tool_calls", calls);
    }
    return message;
  }

  private static JsonArray tools(JsonArray tools) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      Object type = tool.getValue("type");
      if (type != null && !"custom".equals(type)) {
        throw new Untranslatable("tools[" + i + "].type", "Anthropic's server tools ('" + type + "') cannot be expressed for OpenAI providers");
      }
      JsonObject fn = new JsonObject().put("name", tool.getString("name", ""));
      if (tool.getValue("description") instanceof String d) {
        fn.put("description", d);
      }
      fn.put("parameters", tool.getValue("input_schema") instanceof JsonObject s ? s : new JsonObject().put("type", "object"));
      out.add(new JsonObject().put("type", "function").put("function", fn));
    }
    return out;
  }

  // ---- the answer ------------------------------------------------------------------------------

  static String stopReason(Object finishReason) {
    return switch (String.valueOf(finishReason)) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn";
    };
  }

  /** OpenAI's usage in Anthropic's terms: cached prompt tokens are reported apart from the rest. */
  static JsonObject usage(JsonObject u) {
    long prompt = Math.max(0, Texts.number(u, "prompt_tokens"));
    long cached = u.getValue("prompt_tokens_details") instanceof JsonObject d ? Math.max(0, Texts.number(d, "cached_tokens")) : 0;
    return new JsonObject().put("input_tokens", prompt - Math.min(prompt, cached)).put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", cached).put("output_tokens", Math.max(0, Texts.number(u, "completion_tokens")));
  }

  @Override
  public JsonObject response(JsonObject answer, JsonObject request) {
    JsonObject message = new JsonObject();
    Object finish = null;
    if (answer.getValue("choices") instanceof JsonArray choices && !choices.isEmpty() && choices.getValue(0) instanceof JsonObject choice) {
      message = choice.getValue("message") instanceof JsonObject m ? m : message;
      finish = choice.getValue("finish_reason");
    }
    JsonArray content = new JsonArray();
    String text = Texts.text(message.getValue("content"));
    if (text != null && !text.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", text));
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      for (Object c : calls) {
        if (c instanceof JsonObject call && call.getValue("function") instanceof JsonObject fn) {
          content.add(new JsonObject().put("type", "tool_use").put("id", call.getString("id", "")).put("name", fn.getString("name", ""))
              .put("input", answerArguments(fn.getValue("arguments"))));
        }
      }
    }
    return new JsonObject().put("id", answer.getString("id", "msg")).put("type", "message").put("role", "assistant")
        .put("model", answer.getValue("model")).put("content", content).put("stop_reason", stopReason(finish))
        .putNull("stop_sequence").put("usage", usage(answer.getValue("usage") instanceof JsonObject u ? u : new JsonObject()));
  }

  /** A model's tool arguments that are not a JSON object are passed as their text, under one key, not lost. */
  private static JsonObject answerArguments(Object arguments) {
    try {
      return Bridge.arguments(arguments, "arguments");
    } catch (Untranslatable e) {
      return new JsonObject().put("arguments", String.valueOf(arguments));
    }
  }

  @Override
  public EventTranslator stream(JsonObject request, boolean usageUnasked) {
    return new Events();
  }

  /**
   * Chat chunks to Anthropic events: the first chunk opens the message ({@code message_start});
   * content opens a text block, each tool call a {@code tool_use} block whose argument deltas are
   * {@code input_json_delta}s (one block open at a time, closed when the next opens or the choice
   * finishes); the finish reason and the usage chunk make {@code message_delta}, and {@code [DONE]}
   * {@code message_stop}.
   */
  private static final class Events implements EventTranslator {

    private boolean started;
    private int nextBlock;
    /** The open block's index, and the tool call it is for (-1 for text); none open when block is -1. */
    private int block = -1;
    private int blockTool = -1;
    private final Map<Integer, Integer> blockOfTool = new HashMap<>();
    private String stopReason;
    private JsonObject usage;
    private boolean stopped;
    /** The open text block's delta event with its text left open. */
    private TextSlot textDelta;

    @Override
    public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
      if (!event.hasData()) {
        return true;
      }
      if (event.isDone()) {
        stop(emit);
        return true;
      }
      if (started) {
        PlainDelta plain = PlainDelta.of(event.data());
        if (plain != null && plain.bare()) {
          if (plain.index() == 0 && !plain.content().isEmpty()) {
            open(-1, null, emit);
            emit.accept(new SseEvent(List.of(DELTA_NAME, SseField.data(textDelta.fill(plain.content())))));
          }
          return true; // the common event: read and said again without a tree
        }
      }
      JsonObject chunk = Bridge.json(event);
      if (chunk == null) {
        return false;
      }
      if (chunk.getValue("error") instanceof JsonObject) {
        emit.accept(WireFormat.ANTHROPIC_MESSAGES.errorEvent(502, "upstream_error", "upstream_error", Bridge.errorMessage(chunk, 502)));
        return true;
      }
      if (!(chunk.getValue("choices") instanceof JsonArray choices)) {
        return false;
      }
      if (!started) {
        started = true;
        emit.accept(Bridge.named("message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
            .put("id", chunk.getString("id", "msg")).put("type", "message").put("role", "assistant")
            .put("model", chunk.getValue("model")).put("content", new JsonArray()).putNull("stop_reason").putNull("stop_sequence")
            .put("usage", new JsonObject().put("input_tokens", 0).put("output_tokens", 0)))));
      }
      if (chunk.getValue("usage") instanceof JsonObject u) {
        usage = u;
      }
      for (Object c : choices) {
        if (!(c instanceof JsonObject choice) || choice.getInteger("index", 0) != 0) {
          continue; // an Anthropic message has one answer; the request asked for one
        }
        if (choice.getValue("delta") instanceof JsonObject delta) {
          if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
            open(-1, null, emit);
            emit.accept(new SseEvent(List.of(DELTA_NAME, SseField.data(textDelta.fill(text)))));
          }
          if (delta.getValue("tool_calls") instanceof JsonArray calls) {
            for (Object t : calls) {
              if (!(t instanceof JsonObject call)) {
                return false;
              }
              toolDelta(call, emit);
            }
          }
        }
        if (choice.getValue("finish_reason") instanceof String finish) {
          close(emit);
          stopReason = stopReason(finish);
        }
      }
      return true;
    }

    private void toolDelta(JsonObject call, Consumer<SseEvent> emit) {
      int tool = call.getInteger("index", 0);
      JsonObject fn = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
      if (!blockOfTool.containsKey(tool) || (block != blockOfTool.get(tool))) {
        if (blockOfTool.containsKey(tool)) {
          return; // more arguments for a call whose block was closed: Anthropic cannot reopen it
        }
        open(tool, new JsonObject().put("type", "tool_use").put("id", call.getString("id", "toolu_" + tool))
            .put("name", fn.getString("name", "")).put("input", new JsonObject()), emit);
      }
      if (fn.getValue("arguments") instanceof String args && !args.isEmpty()) {
        emit.accept(delta("input_json_delta", "partial_json", args));
      }
    }

    /** Opens a text block (tool -1) or a tool's block, closing another one open. */
    private void open(int tool, JsonObject toolBlock, Consumer<SseEvent> emit) {
      if (block >= 0 && blockTool == tool) {
        return;
      }
      close(emit);
      block = nextBlock++;
      blockTool = tool;
      if (tool >= 0) {
        blockOfTool.put(tool, block);
      }
      JsonObject start = toolBlock != null ? toolBlock : new JsonObject().put("type", "text").put("text", "");
      emit.accept(Bridge.named("content_block_start", new JsonObject().put("type", "content_block_start").put("index", block)
          .put("content_block", start)));
      if (tool < 0) {
        textDelta = TextSlot.of(new JsonObject().put("type", "content_block_delta").put("index", block)
            .put("delta", new JsonObject().put("type", "text_delta").put("text", TextSlot.mark())));
      }
    }

    private void close(Consumer<SseEvent> emit) {
      if (block >= 0) {
        emit.accept(Bridge.named("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", block)));
        block = -1;
        blockTool = -1;
      }
    }

    private SseEvent delta(String type, String field, String text) {
      return Bridge.named("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", block)
          .put("delta", new JsonObject().put("type", type).put(field, text)));
    }

    private void stop(Consumer<SseEvent> emit) {
      if (stopped || !started) {
        return;
      }
      stopped = true;
      close(emit);
      JsonObject delta = new JsonObject().put("type", "message_delta")
          .put("delta", new JsonObject().put("stop_reason", stopReason != null ? stopReason : "end_turn").putNull("stop_sequence"));
      if (usage != null) {
        delta.put("usage", usage(usage));
      }
      emit.accept(Bridge.named("message_delta", delta));
      emit.accept(Bridge.named("message_stop", new JsonObject().put("type", "message_stop")));
    }

    @Override
    public void onEnd(Consumer<SseEvent> emit) {
      if (stopReason != null) {
        stop(emit); // a provider that finished but sent no [DONE]
      }
    }
  }
}
