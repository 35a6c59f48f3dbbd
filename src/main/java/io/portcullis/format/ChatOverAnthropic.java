package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Chat completions served by an Anthropic provider. System and developer messages become the
 * {@code system} prompt, tool calls {@code tool_use} blocks, tool messages {@code tool_result}
 * blocks, image parts image blocks; the answer's blocks become the message and its tool calls,
 * {@code stop_reason} the finish reason, and usage the prompt tokens with cached reads counted in
 * (as OpenAI counts them) and shown in {@code prompt_tokens_details.cached_tokens}.
 */
final class ChatOverAnthropic implements Translation {

  /** Anthropic requires {@code max_tokens}; a chat request without a bound gets this one. */
  static final long DEFAULT_MAX_TOKENS = 4096;

  /** Chat fields with no counterpart in the Messages API: refused when set. */
  private static final Set<String> REFUSED = Set.of("logprobs", "top_logprobs", "logit_bias", "presence_penalty",
      "frequency_penalty", "response_format", "functions", "function_call", "modalities", "audio", "prediction",
      "reasoning_effort", "web_search_options", "verbosity", "seed");

  @Override
  public WireFormat client() {
    return WireFormat.OPENAI_CHAT;
  }

  @Override
  public WireFormat provider() {
    return WireFormat.ANTHROPIC_MESSAGES;
  }

  @Override
  public JsonObject request(JsonObject body) {
    Bridge.refuse(body, REFUSED, "Anthropic");
    Bridge.oneAnswer(body, "Anthropic");
    if (body.getValue("temperature") instanceof Number t && t.doubleValue() > 1) {
      throw new Untranslatable("temperature", "must be at most 1 for Anthropic providers");
    }
    JsonObject out = new JsonObject().put("model", body.getValue("model"));
    StringBuilder system = new StringBuilder();
    JsonArray messages = new JsonArray();
    JsonArray in = body.getJsonArray("messages");
    for (int i = 0; i < in.size(); i++) {
      JsonObject m = in.getJsonObject(i);
      String at = "messages[" + i + "]";
      switch (m.getString("role")) {
        case "system", "developer" -> {
          if (!system.isEmpty()) {
            system.append("\n\n");
          }
          system.append(Bridge.plainText(m.getValue("content"), at + ".content"));
        }
        case "user" -> Bridge.appendTurn(messages, "user", "content", userBlocks(m.getValue("content"), at + ".content"));
        case "assistant" -> Bridge.appendTurn(messages, "assistant", "content", assistantBlocks(m, at));
        case "tool" -> Bridge.appendTurn(messages, "user", "content", new JsonArray().add(new JsonObject().put("type", "tool_result")
            .put("tool_use_id", m.getString("tool_call_id", ""))
            .put("content", Bridge.plainText(m.getValue("content"), at + ".content"))));
        default -> throw new Untranslatable(at + ".role", "'" + m.getString("role") + "' cannot be expressed for Anthropic providers");
      }
    }
    if (!system.isEmpty()) {
      out.put("system", system.toString());
    }
    out.put("messages", messages);
    out.put("max_tokens", Texts.positive(body, "max_completion_tokens") > 0 ? body.getValue("max_completion_tokens")
        : Texts.positive(body, "max_tokens") > 0 ? body.getValue("max_tokens") : DEFAULT_MAX_TOKENS);
    copy(body, out, "temperature", "temperature");
    copy(body, out, "top_p", "top_p");
    copy(body, out, "stream", "stream");
    Object stop = body.getValue("stop");
    if (stop instanceof String s) {
      out.put("stop_sequences", new JsonArray().add(s));
    } else if (stop instanceof JsonArray a) {
      out.put("stop_sequences", a.copy());
    }
    if (body.getValue("user") instanceof String user) {
      out.put("metadata", new JsonObject().put("user_id", user));
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      out.put("tools", tools(tools));
    }
    Object choice = toolChoice(body.getValue("tool_choice"));
    if (Boolean.FALSE.equals(body.getValue("parallel_tool_calls"))) {
      choice = (choice instanceof JsonObject c ? c : new JsonObject().put("type", "auto")).put("disable_parallel_tool_use", true);
    }
    if (choice != null) {
      out.put("tool_choice", choice);
    }
    return out;
  }

  private static void copy(JsonObject from, JsonObject to, String field, String as) {
    if (from.getValue(field) != null) {
      to.put(as, from.getValue(field));
    }
  }

  private static JsonArray userBlocks(Object content, String at) {
    JsonArray blocks = new JsonArray();
    if (content instanceof String s) {
      return blocks.add(new JsonObject().put("type", "text").put("text", s));
    }
    JsonArray parts = (JsonArray) content;
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      String pat = at + "[" + i + "]";
      switch (String.valueOf(part.getValue("type"))) {
        case "text" -> blocks.add(new JsonObject().put("type", "text").put("text", part.getString("text", "")));
        case "image_url" -> blocks.add(Bridge.anthropicImage(part.getValue("image_url"), pat + ".image_url"));
        default -> throw new Untranslatable(pat + ".type", "'" + part.getValue("type") + "' parts cannot be expressed for Anthropic providers");
      }
    }
    return blocks;
  }

  private static JsonArray assistantBlocks(JsonObject m, String at) {
    JsonArray blocks = new JsonArray();
    String text = m.getValue("content") == null ? "" : Bridge.plainText(m.getValue("content"), at + ".content");
    if (!text.isEmpty()) {
      blocks.add(new JsonObject().put("type", "text").put("text", text));
    }
    if (m.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        String cat = at + ".tool_calls[" + i + "]";
        if (!(calls.getValue(i) instanceof JsonObject call) || !(call.getValue("function") instanceof JsonObject fn)) {
          throw new Untranslatable(cat, "must be a function call");
        }
        blocks.add(new JsonObject().put("type", "tool_use").put("id", call.getString("id", "call_" + i))
            .put("name", fn.getString("name", "")).put("input", Bridge.arguments(fn.getValue("arguments"), cat + ".function.arguments")));
      }
    }
    return blocks;
  }

  private static JsonArray tools(JsonArray tools) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      if (!"function".equals(tool.getValue("type")) || !(tool.getValue("function") instanceof JsonObject fn)) {
        throw new Untranslatable("tools[" + i + "].type", "only function tools can be expressed for Anthropic providers");
      }
      JsonObject t = new JsonObject().put("name", fn.getString("name", ""));
      if (fn.getValue("description") instanceof String d) {
        t.put("description", d);
      }
      t.put("input_schema", fn.getValue("parameters") instanceof JsonObject p ? p : new JsonObject().put("type", "object"));
      out.add(t);
    }
    return out;
  }

  private static Object toolChoice(Object choice) {
    if (choice == null) {
      return null;
    }
    if (choice instanceof String s) {
      return switch (s) {
        case "auto" -> new JsonObject().put("type", "auto");
        case "none" -> new JsonObject().put("type", "none");
        case "required" -> new JsonObject().put("type", "any");
        default -> throw new Untranslatable("tool_choice", "must be auto, none, required or a function");
      };
    }
    if (choice instanceof JsonObject o && o.getValue("function") instanceof JsonObject fn && fn.getValue("name") instanceof String name) {
      return new JsonObject().put("type", "tool").put("name", name);
    }
    throw new Untranslatable("tool_choice", "must be auto, none, required or a function");
  }

  // ---- the answer ------------------------------------------------------------------------------

  static String finishReason(Object stopReason) {
    return switch (String.valueOf(stopReason)) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop"; // end_turn, stop_sequence, pause_turn
    };
  }

  /** Anthropic's usage in OpenAI's terms: prompt tokens include cache reads and writes; cached reads are shown apart. */
  static JsonObject usage(long input, long cacheRead, long cacheWrite, long output) {
    long prompt = Math.max(0, input) + Math.max(0, cacheRead) + Math.max(0, cacheWrite);
    long completion = Math.max(0, output);
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", Math.max(0, cacheRead)));
  }

  private static JsonObject usage(JsonObject u) {
    return usage(Texts.number(u, "input_tokens"), Texts.number(u, "cache_read_input_tokens"),
        Texts.number(u, "cache_creation_input_tokens"), Texts.number(u, "output_tokens"));
  }

  @Override
  public JsonObject response(JsonObject answer, JsonObject request) {
    StringBuilder text = new StringBuilder();
    JsonArray calls = new JsonArray();
    if (answer.getValue("content") instanceof JsonArray blocks) {
      for (Object b : blocks) {
        if (b instanceof JsonObject block) {
          if ("text".equals(block.getValue("type"))) {
            text.append(block.getString("text", ""));
          } else if ("tool_use".equals(block.getValue("type"))) {
            calls.add(new JsonObject().put("id", block.getString("id", "")).put("type", "function").put("function", new JsonObject()
                .put("name", block.getString("name", ""))
                .put("arguments", block.getValue("input") instanceof JsonObject input ? input.encode() : "{}")));
          }
        }
      }
    }
    return ChatChunks.completion(answer.getString("id", "msg"), answer.getValue("model"), text.toString(), calls,
        finishReason(answer.getValue("stop_reason")), answer.getValue("usage") instanceof JsonObject u ? usage(u) : usage(-1, -1, -1, -1));
  }

  @Override
  public EventTranslator stream(JsonObject request, boolean usageUnasked) {
    return new Events(usageUnasked || !OpenAiChat.usageAsked(request));
  }

  /**
   * Anthropic events to chat chunks: {@code message_start} gives the chunks' id and model and the
   * role chunk; a text block's deltas become {@code delta.content}; a {@code tool_use} block opens a
   * tool call (id and name) whose {@code input_json_delta}s become its arguments; {@code
   * message_delta} gives the finish reason; {@code message_stop} the usage chunk and {@code [DONE]}.
   * Thinking blocks have no place in a chat chunk and are not sent.
   */
  private static final class Events implements EventTranslator {

    private final boolean usageUnasked;
    private ChatChunks chunks = new ChatChunks("msg", null);
    private JsonObject usage = new JsonObject();
    private final Map<Integer, Integer> toolOfBlock = new HashMap<>();
    private boolean started;

    Events(boolean usageUnasked) {
      this.usageUnasked = usageUnasked;
    }

    @Override
    public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
      if (!event.hasData()) {
        return true; // comments: the gateway's own heartbeat keeps the client's stream alive
      }
      if (started) {
        AnthropicTextDelta plain = AnthropicTextDelta.of(event.data());
        if (plain != null && !toolOfBlock.containsKey(plain.index())) {
          emit.accept(chunks.content(plain.text())); // the common event: no tree either way
          return true;
        }
      }
      JsonObject data = Bridge.json(event);
      if (data == null || !(data.getValue("type") instanceof String type)) {
        return false;
      }
      switch (type) {
        case "message_start" -> {
          JsonObject message = data.getValue("message") instanceof JsonObject m ? m : new JsonObject();
          chunks = new ChatChunks(message.getString("id", "msg"), message.getValue("model"));
          started = true;
          if (message.getValue("usage") instanceof JsonObject u) {
            usage.mergeIn(u);
          }
          emit.accept(chunks.chunk(new JsonObject().put("role", "assistant").put("content", ""), null));
        }
        case "content_block_start" -> {
          JsonObject block = data.getValue("content_block") instanceof JsonObject b ? b : new JsonObject();
          int index = data.getInteger("index", 0);
          if ("tool_use".equals(block.getValue("type"))) {
            int tool = toolOfBlock.size();
            toolOfBlock.put(index, tool);
            emit.accept(chunks.chunk(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", tool)
                .put("id", block.getString("id", "")).put("type", "function")
                .put("function", new JsonObject().put("name", block.getString("name", "")).put("arguments", "")))), null));
          } else if ("text".equals(block.getValue("type")) && block.getValue("text") instanceof String t && !t.isEmpty()) {
            emit.accept(chunks.content(t));
          }
        }
        case "content_block_delta" -> {
          if (!(data.getValue("delta") instanceof JsonObject delta)) {
            return false;
          }
          switch (String.valueOf(delta.getValue("type"))) {
            case "text_delta" -> emit.accept(chunks.content(delta.getString("text", "")));
            case "input_json_delta" -> {
              Integer tool = toolOfBlock.get(data.getInteger("index", 0));
              if (tool == null) {
                return false;
              }
              emit.accept(chunks.chunk(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", tool)
                  .put("function", new JsonObject().put("arguments", delta.getString("partial_json", ""))))), null));
            }
            case "thinking_delta", "signature_delta", "citations_delta" -> { }
            default -> {
              return false;
            }
          }
        }
        case "message_delta" -> {
          if (data.getValue("usage") instanceof JsonObject u) {
            usage.mergeIn(u);
          }
          if (data.getValue("delta") instanceof JsonObject d && d.getValue("stop_reason") != null) {
            emit.accept(chunks.chunk(new JsonObject(), finishReason(d.getValue("stop_reason"))));
          }
        }
        case "message_stop" -> {
          if (!usageUnasked) {
            emit.accept(chunks.usage(usage(usage)));
          }
          emit.accept(SseEvent.ofData("[DONE]"));
        }
        case "content_block_stop", "ping" -> { }
        case "error" -> {
          JsonObject error = data.getValue("error") instanceof JsonObject e ? e : new JsonObject();
          int status = "overloaded_error".equals(error.getValue("type")) ? 503 : 502;
          emit.accept(WireFormat.OPENAI_CHAT.errorEvent(status, Bridge.openAiType(status), "upstream_error",
              Bridge.errorMessage(data, status)));
        }
        default -> {
          return false;
        }
      }
      return true;
    }

    @Override
    public void onEnd(Consumer<SseEvent> emit) {
      // message_stop closed it; a stream that ended before that ends as the provider left it
    }
  }
}
