package io.portcullis.format;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.ProviderType;
import io.portcullis.sse.SseEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/** OpenAI's Chat Completions ({@code /v1/chat/completions}), spoken by every OpenAI-compatible provider. */
public final class OpenAiChat implements WireFormat {

  /** The fields the API defines (as of this writing). */
  static final Set<String> FIELDS = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
      "max_completion_tokens", "n", "temperature", "top_p", "stop", "presence_penalty", "frequency_penalty", "logit_bias",
      "logprobs", "top_logprobs", "user", "tools", "tool_choice", "parallel_tool_calls", "response_format", "seed", "functions",
      "function_call", "modalities", "audio", "prediction", "reasoning_effort", "service_tier", "store", "metadata",
      "web_search_options", "verbosity", "safety_identifier", "prompt_cache_key");
  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  OpenAiChat() {}

  @Override
  public ProviderType spokenBy() {
    return ProviderType.OPENAI;
  }

  @Override
  public String upstreamPath() {
    return "/chat/completions";
  }

  @Override
  public String operation() {
    return "chat";
  }

  @Override
  public boolean streams() {
    return true;
  }

  @Override
  public String missingInput(JsonObject body) {
    return Texts.missingMessages(body);
  }

  @Override
  public Set<String> fields() {
    return FIELDS;
  }

  @Override
  public Violation validate(JsonObject body, GuardConfig.Validation rules, List<String> screened) {
    JsonArray messages = body.getJsonArray("messages");
    Violation count = Texts.tooManyMessages(messages, rules.maxMessages());
    if (count != null) {
      return count;
    }
    long total = 0;
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) {
        return new Violation("invalid_message", at, "must be an object");
      }
      if (!(m.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        return new Violation("invalid_role", at + ".role", "must be one of system, developer, user, assistant, tool");
      }
      Object content = m.getValue("content");
      long chars;
      if (content == null) {
        if (!role.equals("assistant") || (m.getValue("tool_calls") == null && m.getValue("function_call") == null)) {
          return new Violation("invalid_content", at + ".content", "is required");
        }
        chars = 0;
      } else {
        chars = Texts.textLength(content, role.equals("user") || role.equals("tool") ? screened : null);
        if (chars < 0) {
          return new Violation("invalid_content", at + ".content", "must be a string or an array of content parts with a type");
        }
      }
      total += chars;
      Violation tooLong = Texts.lengths(chars, total, at + ".content", rules.maxMessageChars(), rules.maxTotalChars());
      if (tooLong != null) {
        return tooLong;
      }
    }
    Violation v = Texts.tokens(body, "max_tokens", rules.maxTokens());
    v = v != null ? v : Texts.tokens(body, "max_completion_tokens", rules.maxTokens());
    v = v != null ? v : Texts.range(body, "n", 1, rules.maxN(), true);
    v = v != null ? v : Texts.range(body, "temperature", 0, 2, false);
    v = v != null ? v : Texts.range(body, "top_p", 0, 1, false);
    v = v != null ? v : Texts.range(body, "presence_penalty", -2, 2, false);
    v = v != null ? v : Texts.range(body, "frequency_penalty", -2, 2, false);
    if (v == null && body.getValue("stop") != null) {
      Object stop = body.getValue("stop");
      boolean ok = stop instanceof String || (stop instanceof JsonArray a && a.size() <= 4 && a.stream().allMatch(s -> s instanceof String));
      v = ok ? null : new Violation("invalid_stop", "stop", "must be a string or an array of up to 4 strings");
    }
    if (v == null && body.getValue("tools") != null
        && !(body.getValue("tools") instanceof JsonArray tools && tools.stream().allMatch(t -> t instanceof JsonObject))) {
      v = new Violation("invalid_tools", "tools", "must be an array of objects");
    }
    return v;
  }

  @Override
  public long promptTokens(JsonObject body, ToIntFunction<String> counter) {
    return Texts.conversationTokens(body, counter);
  }


  @Override
  public long maxCompletionTokens(JsonObject body, long fallback) {
    long bound = Texts.positive(body, "max_completion_tokens");
    if (bound == 0) {
      bound = Texts.positive(body, "max_tokens");
    }
    if (bound == 0) {
      return fallback;
    }
    return bound * Math.max(1, body.getValue("n") instanceof Number c ? c.intValue() : 1);
  }

  /** Whether a request asked for the stream's usage chunk ({@code stream_options.include_usage}). */
  static boolean usageAsked(JsonObject body) {
    return body.getValue("stream_options") instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("include_usage"));
  }

  /** A stream reports its usage only when asked ({@code stream_options.include_usage}). */
  @Override
  public boolean askForStreamUsage(JsonObject body) {
    if (usageAsked(body)) {
      return false;
    }
    JsonObject options = body.getValue("stream_options") instanceof JsonObject o ? o : new JsonObject();
    body.put("stream_options", options.copy().put("include_usage", true));
    return true;
  }

  @Override
  public String lastUserText(JsonObject body) {
    return body.getValue("messages") instanceof JsonArray messages ? Texts.lastUserText(messages) : null;
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    // the credential is the provider's; the format defines no caller headers
  }

  @Override
  public ReportedUsage usage(JsonObject json) {
    return usageOf(json);
  }

  /** OpenAI's {@code usage}: {@code prompt_tokens} and {@code completion_tokens} (embeddings report the first only). */
  static ReportedUsage usageOf(JsonObject json) {
    return json.getValue("usage") instanceof JsonObject u
        ? new ReportedUsage(Texts.number(u, "prompt_tokens"), Texts.number(u, "completion_tokens"),
            u.getValue("prompt_tokens_details") instanceof JsonObject d ? Texts.number(d, "cached_tokens") : -1, true) : null;
  }

  /** The chunk {@code include_usage} adds at the end: no choices, only usage. */
  @Override
  public boolean isUsageOnly(JsonObject event) {
    return event.getValue("choices") instanceof JsonArray choices && choices.isEmpty()
        && event.getValue("usage") instanceof JsonObject;
  }

  @Override
  public String answerText(JsonObject response) {
    if (response.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice && choice.getValue("message") instanceof JsonObject message) {
      return Texts.text(message.getValue("content"));
    }
    return null;
  }

  @Override
  public StreamText streamText(TextFilter.Factory filters) {
    return new OpenAiChatStreamText(filters);
  }

  /**
   * A finish chunk with {@code finish_reason: "length"} for each choice, the usage chunk when the
   * client asked for it ({@code stream_options.include_usage}), then {@code [DONE]}; id, model and
   * the like are those of the stream's last chunk.
   */
  @Override
  public List<SseEvent> lengthStop(JsonObject body, boolean usageUnasked, SseEvent last, long input, long output) {
    JsonObject base = new JsonObject().put("object", "chat.completion.chunk");
    if (last != null && last.hasData()) {
      try {
        JsonObject chunk = new JsonObject(last.data());
        for (String field : List.of("id", "object", "created", "model", "system_fingerprint", "service_tier")) {
          if (chunk.containsKey(field)) {
            base.put(field, chunk.getValue(field));
          }
        }
      } catch (RuntimeException notJson) {
        // the defaults above
      }
    }
    boolean usage = !usageUnasked && usageAsked(body);
    int n = Math.max(1, body.getValue("n") instanceof Number c ? c.intValue() : 1);
    List<SseEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonObject chunk = base.copy().put("choices", new JsonArray().add(new JsonObject().put("index", i)
          .put("delta", new JsonObject()).putNull("logprobs").put("finish_reason", "length")));
      if (usage) {
        chunk.putNull("usage");
      }
      out.add(SseEvent.ofData(chunk.encode()));
    }
    if (usage) {
      out.add(SseEvent.ofData(base.copy().put("choices", new JsonArray()).put("usage", new JsonObject()
          .put("prompt_tokens", input).put("completion_tokens", output).put("total_tokens", input + output)).encode()));
    }
    out.add(SseEvent.ofData("[DONE]"));
    return out;
  }

  /** OpenAI SDKs raise an APIError when a data event carries an {@code error} object. */
  @Override
  public SseEvent errorEvent(int status, String type, String code, String message) {
    return SseEvent.ofData(errorBody(status, type, code, message).encode());
  }

  @Override
  public JsonObject errorBody(int status, String type, String code, String message) {
    return openAiError(type, code, message);
  }

  /** The OpenAI error shape: {@code {"error":{"message","type","param","code"}}}. */
  public static JsonObject openAiError(String type, String code, String message) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", message).put("type", type).putNull("param").put("code", code));
  }
}
