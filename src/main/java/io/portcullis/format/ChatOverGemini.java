package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Chat completions served by a Gemini provider ({@code generateContent}). System and developer
 * messages become {@code systemInstruction}; turns become {@code contents} ({@code assistant} is
 * {@code model}); tool calls {@code functionCall} parts and tool messages {@code functionResponse}
 * parts, which name the function (found from the call's id) rather than the call; bounds and
 * sampling go to {@code generationConfig}. The answer's text and function calls become the message,
 * {@code finishReason} the finish reason and {@code usageMetadata} the usage. Gemini sends each
 * function call whole, in one chunk: the stream gives its arguments in one delta.
 */
final class ChatOverGemini implements Translation {

  /** Chat fields with no counterpart in generateContent: refused when set. */
  private static final Set<String> REFUSED = Set.of("logprobs", "top_logprobs", "logit_bias", "functions", "function_call",
      "modalities", "audio", "prediction", "reasoning_effort", "web_search_options", "verbosity");

  @Override
  public WireFormat client() {
    return WireFormat.OPENAI_CHAT;
  }

  @Override
  public UpstreamFormat provider() {
    return UpstreamFormat.GEMINI_GENERATE;
  }

  @Override
  public JsonObject request(JsonObject body) {
    Bridge.refuse(body, REFUSED, "Gemini");
    Bridge.oneAnswer(body, "Gemini");
    if (Boolean.FALSE.equals(body.getValue("parallel_tool_calls"))) {
      throw new Untranslatable("parallel_tool_calls", "Gemini providers cannot be told to call one function at a time");
    }
    StringBuilder system = new StringBuilder();
    JsonArray contents = new JsonArray();
    Map<String, String> functionOfCall = new HashMap<>();
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
        case "user" -> Bridge.appendTurn(contents, "user", "parts", userParts(m.getValue("content"), at + ".content"));
        case "assistant" -> Bridge.appendTurn(contents, "model", "parts", modelParts(m, at, functionOfCall));
        case "tool" -> {
          String id = m.getString("tool_call_id", "");
          String name = functionOfCall.get(id);
          if (name == null) {
            throw new Untranslatable(at + ".tool_call_id", "names no earlier tool call (Gemini needs the function's name)");
          }
          String text = Bridge.plainText(m.getValue("content"), at + ".content");
          JsonObject response;
          try {
            response = new JsonObject(text);
          } catch (RuntimeException notAnObject) {
            response = new JsonObject().put("content", text);
          }
          Bridge.appendTurn(contents, "user", "parts", new JsonArray().add(new JsonObject().put("functionResponse",
              new JsonObject().put("name", name).put("response", response))));
        }
        default -> throw new Untranslatable(at + ".role", "'" + m.getString("role") + "' cannot be expressed for Gemini providers");
      }
    }
    JsonObject out = new JsonObject();
    if (!system.isEmpty()) {
      out.put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", system.toString()))));
    }
    out.put("contents", contents);
    JsonObject config = new JsonObject();
    Object bound = Texts.positive(body, "max_completion_tokens") > 0 ? body.getValue("max_completion_tokens") : body.getValue("max_tokens");
    put(config, "maxOutputTokens", bound);
    put(config, "temperature", body.getValue("temperature"));
    put(config, "topP", body.getValue("top_p"));
    put(config, "seed", body.getValue("seed"));
    put(config, "presencePenalty", body.getValue("presence_penalty"));
    put(config, "frequencyPenalty", body.getValue("frequency_penalty"));
    Object stop = body.getValue("stop");
    put(config, "stopSequences", stop instanceof String s ? new JsonArray().add(s) : stop instanceof JsonArray a ? a.copy() : null);
    if (body.getValue("response_format") instanceof JsonObject format) {
      switch (String.valueOf(format.getValue("type"))) {
        case "text" -> { }
        case "json_object" -> config.put("responseMimeType", "application/json");
        case "json_schema" -> {
          JsonObject schema = format.getValue("json_schema") instanceof JsonObject s ? s : new JsonObject();
          config.put("responseMimeType", "application/json").put("responseJsonSchema", schema.getValue("schema"));
        }
        default -> throw new Untranslatable("response_format.type", "must be text, json_object or json_schema");
      }
    }
    if (!config.isEmpty()) {
      out.put("generationConfig", config);
    }
    if (body.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
      JsonArray declarations = new JsonArray();
      for (int i = 0; i < tools.size(); i++) {
        JsonObject tool = tools.getJsonObject(i);
        if (!"function".equals(tool.getValue("type")) || !(tool.getValue("function") instanceof JsonObject fn)) {
          throw new Untranslatable("tools[" + i + "].type", "only function tools can be expressed for Gemini providers");
        }
        JsonObject d = new JsonObject().put("name", fn.getString("name", ""));
        if (fn.getValue("description") instanceof String desc) {
          d.put("description", desc);
        }
        if (fn.getValue("parameters") instanceof JsonObject p) {
          d.put("parametersJsonSchema", p);
        }
        declarations.add(d);
      }
      out.put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", declarations)));
    }
    Object choice = body.getValue("tool_choice");
    if (choice != null) {
      JsonObject calling = new JsonObject();
      if (choice instanceof String s) {
        calling.put("mode", switch (s) {
          case "auto" -> "AUTO";
          case "none" -> "NONE";
          case "required" -> "ANY";
          default -> throw new Untranslatable("tool_choice", "must be auto, none, required or a function");
        });
      } else if (choice instanceof JsonObject o && o.getValue("function") instanceof JsonObject fn && fn.getValue("name") instanceof String name) {
        calling.put("mode", "ANY").put("allowedFunctionNames", new JsonArray().add(name));
      } else {
        throw new Untranslatable("tool_choice", "must be auto, none, required or a function");
      }
      out.put("toolConfig", new JsonObject().put("functionCallingConfig", calling));
    }
    return out;
  }

  private static void put(JsonObject o, String field, Object value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  private static JsonArray userParts(Object content, String at) {
    JsonArray parts = new JsonArray();
    if (content instanceof String s) {
      return parts.add(new JsonObject().put("text", s));
    }
    JsonArray in = (JsonArray) content;
    for (int i = 0; i < in.size(); i++) {
      JsonObject part = in.getJsonObject(i);
      String pat = at + "[" + i + "]";
      switch (String.valueOf(part.getValue("type"))) {
        case "text" -> parts.add(new JsonObject().put("text", part.getString("text", "")));
        case "image_url" -> {
          JsonObject source = Bridge.imageSource(part.getValue("image_url"), pat + ".image_url");
          if (!"base64".equals(source.getValue("type"))) {
            throw new Untranslatable(pat + ".image_url.url", "Gemini providers take images inline: a base64 data: URL");
          }
          parts.add(new JsonObject().put("inlineData", new JsonObject().put("mimeType", source.getString("media_type"))
              .put("data", source.getString("data"))));
        }
        default -> throw new Untranslatable(pat + ".type", "'" + part.getValue("type") + "' parts cannot be expressed for Gemini providers");
      }
    }
    return parts;
  }

  private static JsonArray modelParts(JsonObject m, String at, Map<String, String> functionOfCall) {
    JsonArray parts = new JsonArray();
    String text = m.getValue("content") == null ? "" : Bridge.plainText(m.getValue("content"), at + ".content");
    if (!text.isEmpty()) {
      parts.add(new JsonObject().put("text", text));
    }
    if (m.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        String cat = at + ".tool_calls[" + i + "]";
        if (!(calls.getValue(i) instanceof JsonObject call) || !(call.getValue("function") instanceof JsonObject fn)) {
          throw new Untranslatable(cat, "must be a function call");
        }
        String name = fn.getString("name", "");
        functionOfCall.put(call.getString("id", ""), name);
        parts.add(new JsonObject().put("functionCall", new JsonObject().put("name", name)
            .put("args", Bridge.arguments(fn.getValue("arguments"), cat + ".function.arguments"))));
      }
    }
    return parts;
  }

  // ---- the answer ------------------------------------------------------------------------------

  static String finishReason(Object reason, boolean called) {
    return switch (String.valueOf(reason)) {
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> "content_filter";
      default -> called ? "tool_calls" : "stop";
    };
  }

  /** Gemini's usage in OpenAI's terms: the model's thinking is billed as output, cached prompt tokens shown apart. */
  static JsonObject usage(JsonObject u) {
    long prompt = Math.max(0, Texts.number(u, "promptTokenCount"));
    long output = Math.max(0, Texts.number(u, "candidatesTokenCount")) + Math.max(0, Texts.number(u, "thoughtsTokenCount"));
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", output).put("total_tokens", prompt + output)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", Math.max(0, Texts.number(u, "cachedContentTokenCount"))));
  }

  /** The first candidate's parts: text (thoughts left out) and function calls. */
  private static JsonArray parts(JsonObject answer) {
    if (answer.getValue("candidates") instanceof JsonArray candidates && !candidates.isEmpty()
        && candidates.getValue(0) instanceof JsonObject c && c.getValue("content") instanceof JsonObject content
        && content.getValue("parts") instanceof JsonArray parts) {
      return parts;
    }
    return new JsonArray();
  }

  private static Object finishOf(JsonObject answer) {
    if (answer.getValue("candidates") instanceof JsonArray candidates && !candidates.isEmpty()
        && candidates.getValue(0) instanceof JsonObject c) {
      return c.getValue("finishReason");
    }
    return answer.getValue("promptFeedback") instanceof JsonObject feedback && feedback.getValue("blockReason") != null ? "SAFETY" : null;
  }

  private static JsonObject call(JsonObject functionCall, int index) {
    return new JsonObject().put("id", functionCall.getString("id", "call_" + index)).put("type", "function")
        .put("function", new JsonObject().put("name", functionCall.getString("name", ""))
            .put("arguments", functionCall.getValue("args") instanceof JsonObject args ? args.encode() : "{}"));
  }

  @Override
  public JsonObject response(JsonObject answer, JsonObject request) {
    StringBuilder text = new StringBuilder();
    JsonArray calls = new JsonArray();
    for (Object p : parts(answer)) {
      if (p instanceof JsonObject part) {
        if (part.getValue("text") instanceof String t && !Boolean.TRUE.equals(part.getValue("thought"))) {
          text.append(t);
        } else if (part.getValue("functionCall") instanceof JsonObject fc) {
          calls.add(call(fc, calls.size()));
        }
      }
    }
    return ChatChunks.completion(answer.getString("responseId", "gemini"), answer.getValue("modelVersion"), text.toString(), calls,
        finishReason(finishOf(answer), !calls.isEmpty()), usage(answer.getValue("usageMetadata") instanceof JsonObject u ? u : new JsonObject()));
  }

  @Override
  public EventTranslator stream(JsonObject request, boolean usageUnasked) {
    return new Events(usageUnasked || !OpenAiChat.usageAsked(request));
  }

  /**
   * Gemini chunks to chat chunks: the first gives the role chunk (id and model from {@code
   * responseId} and {@code modelVersion}); text parts become content deltas and each function call
   * a tool call with its whole arguments; {@code finishReason} the finish chunk. Gemini sends no end
   * marker: the stream's end after a finish gives the usage chunk (when asked) and {@code [DONE]}.
   */
  private static final class Events implements EventTranslator {

    private final boolean usageUnasked;
    private ChatChunks chunks;
    private JsonObject usage = new JsonObject();
    private int calls;
    private boolean finished;
    private boolean done;

    Events(boolean usageUnasked) {
      this.usageUnasked = usageUnasked;
    }

    @Override
    public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
      if (!event.hasData()) {
        return true;
      }
      JsonObject chunk = Bridge.json(event);
      if (chunk == null) {
        return false;
      }
      if (chunk.getValue("error") instanceof JsonObject) {
        emit.accept(WireFormat.OPENAI_CHAT.errorEvent(502, "upstream_error", "upstream_error", Bridge.errorMessage(chunk, 502)));
        return true;
      }
      if (!chunk.containsKey("candidates") && !chunk.containsKey("promptFeedback") && !chunk.containsKey("usageMetadata")) {
        return false;
      }
      if (chunks == null) {
        chunks = new ChatChunks(chunk.getString("responseId", "gemini"), chunk.getValue("modelVersion"));
        emit.accept(chunks.chunk(new JsonObject().put("role", "assistant").put("content", ""), null));
      }
      if (chunk.getValue("usageMetadata") instanceof JsonObject u) {
        usage = u;
      }
      for (Object p : parts(chunk)) {
        if (!(p instanceof JsonObject part)) {
          return false;
        }
        if (part.getValue("text") instanceof String t) {
          if (!t.isEmpty() && !Boolean.TRUE.equals(part.getValue("thought"))) {
            emit.accept(chunks.content(t));
          }
        } else if (part.getValue("functionCall") instanceof JsonObject fc) {
          emit.accept(chunks.chunk(new JsonObject().put("tool_calls", new JsonArray().add(call(fc, calls).put("index", calls))), null));
          calls++;
        } else if (!part.containsKey("thoughtSignature")) {
          return false; // a part that may carry text the grammar does not know
        }
      }
      Object finish = finishOf(chunk);
      if (finish != null && !finished) {
        finished = true;
        emit.accept(chunks.chunk(new JsonObject(), finishReason(finish, calls > 0)));
      }
      return true;
    }

    @Override
    public void onEnd(Consumer<SseEvent> emit) {
      if (!finished || done) {
        return; // a stream that broke off ends as it is (the gateway's error event follows)
      }
      done = true;
      if (!usageUnasked) {
        emit.accept(chunks.usage(usage(usage)));
      }
      emit.accept(SseEvent.ofData("[DONE]"));
    }
  }
}
