package io.portcullis.format;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.ProviderType;
import io.portcullis.sse.SseEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * OpenAI's Responses API ({@code /v1/responses}): {@code input} as a string or a list of items
 * (messages, function calls and their outputs), {@code instructions}, {@code max_output_tokens};
 * the answer is a list of output items, and the stream is typed events ({@code response.*}) with
 * the usage in the final {@code response.completed}.
 */
public final class OpenAiResponses implements WireFormat {

  /** The fields the API defines (as of this writing). */
  static final Set<String> FIELDS = Set.of("model", "input", "instructions", "max_output_tokens", "temperature", "top_p",
      "tools", "tool_choice", "parallel_tool_calls", "stream", "stream_options", "store", "metadata", "previous_response_id",
      "reasoning", "text", "truncation", "user", "include", "background", "prompt", "prompt_cache_key", "safety_identifier",
      "service_tier", "top_logprobs", "max_tool_calls", "conversation");
  static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");

  OpenAiResponses() {}

  @Override
  public ProviderType spokenBy() {
    return ProviderType.OPENAI;
  }

  @Override
  public String upstreamPath() {
    return "/responses";
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
    Object input = body.getValue("input");
    if (input instanceof String || (input instanceof JsonArray a && !a.isEmpty())) {
      return null;
    }
    if (input == null && (body.getValue("previous_response_id") != null || body.getValue("prompt") != null
        || body.getValue("conversation") != null)) {
      return null;
    }
    return "'input' is required and must be a string or a non-empty array of items";
  }

  @Override
  public Set<String> fields() {
    return FIELDS;
  }

  @Override
  public Violation validate(JsonObject body, GuardConfig.Validation rules, List<String> screened) {
    long total = 0;
    if (body.getValue("instructions") != null) {
      if (!(body.getValue("instructions") instanceof String instructions)) {
        return new Violation("invalid_instructions", "instructions", "must be a string");
      }
      total += instructions.length();
    }
    Object input = body.getValue("input");
    if (input instanceof String s) {
      screened.add(s);
      total += s.length();
      Violation tooLong = Texts.lengths(s.length(), total, "input", rules.maxMessageChars(), rules.maxTotalChars());
      if (tooLong != null) {
        return tooLong;
      }
    } else if (input instanceof JsonArray items) {
      if (items.size() > rules.maxMessages()) {
        return new Violation("too_many_messages", "input", "more than " + rules.maxMessages() + " items");
      }
      for (int i = 0; i < items.size(); i++) {
        String at = "input[" + i + "]";
        if (!(items.getValue(i) instanceof JsonObject item)) {
          return new Violation("invalid_input", at, "must be an object");
        }
        long chars = itemLength(item, screened);
        if (chars < 0) {
          return new Violation("invalid_input", at, "must be a message (role and content) or an item with a type");
        }
        total += chars;
        Violation tooLong = Texts.lengths(chars, total, at, rules.maxMessageChars(), rules.maxTotalChars());
        if (tooLong != null) {
          return tooLong;
        }
      }
    } else if (input != null) {
      return new Violation("invalid_input", "input", "must be a string or an array of items");
    }
    Violation v = Texts.tokens(body, "max_output_tokens", rules.maxTokens());
    v = v != null ? v : Texts.range(body, "temperature", 0, 2, false);
    v = v != null ? v : Texts.range(body, "top_p", 0, 1, false);
    if (v == null && body.getValue("tools") != null
        && !(body.getValue("tools") instanceof JsonArray tools && tools.stream().allMatch(t -> t instanceof JsonObject))) {
      v = new Violation("invalid_tools", "tools", "must be an array of objects");
    }
    return v;
  }

  /** An input item's characters (user text and tool outputs are screened); -1 when it is malformed. */
  private static long itemLength(JsonObject item, List<String> screened) {
    Object type = item.getValue("type");
    if (type == null || "message".equals(type)) {
      if (!(item.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        return -1;
      }
      return Texts.textLength(item.getValue("content"), role.equals("user") ? screened : null);
    }
    if (!(type instanceof String)) {
      return -1;
    }
    if ("function_call_output".equals(type)) {
      Object output = item.getValue("output");
      return output == null ? 0 : Texts.textLength(output, screened);
    }
    if ("function_call".equals(type)) {
      return item.getValue("arguments") instanceof String a ? a.length() : 0;
    }
    return 0; // reasoning, hosted tools' calls: carried back as the provider gave them
  }

  @Override
  public long promptTokens(JsonObject body, ToIntFunction<String> counter) {
    long n = 3 + Texts.tokens(body.getValue("instructions"), counter);
    Object input = body.getValue("input");
    if (input instanceof String s) {
      n += 4 + counter.applyAsInt(s);
    } else if (input instanceof JsonArray items) {
      for (Object o : items) {
        if (o instanceof JsonObject item) {
          n += 4 + Texts.tokens(item.getValue("content"), counter) + Texts.tokens(item.getValue("output"), counter);
          if (item.getValue("arguments") instanceof String a) {
            n += counter.applyAsInt(a);
          }
        }
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += counter.applyAsInt(tools.encode());
    }
    return n;
  }

  @Override
  public long maxCompletionTokens(JsonObject body, long fallback) {
    long bound = Texts.positive(body, "max_output_tokens");
    return bound == 0 ? fallback : bound;
  }

  /** The stream's last event ({@code response.completed}) always carries the usage. */
  @Override
  public boolean askForStreamUsage(JsonObject body) {
    return false;
  }

  @Override
  public String lastUserText(JsonObject body) {
    Object input = body.getValue("input");
    if (input instanceof String s) {
      return s;
    }
    if (input instanceof JsonArray items) {
      for (int i = items.size() - 1; i >= 0; i--) {
        if (items.getValue(i) instanceof JsonObject item && "user".equals(item.getValue("role"))) {
          return Texts.text(item.getValue("content"));
        }
      }
    }
    return null;
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    // the credential is the provider's; the format defines no caller headers
  }

  /** {@code usage} of a response, or of the response an event carries ({@code response.completed}). */
  @Override
  public ReportedUsage usage(JsonObject json) {
    JsonObject usage = json.getValue("usage") instanceof JsonObject u ? u
        : json.getValue("response") instanceof JsonObject r && r.getValue("usage") instanceof JsonObject u ? u : null;
    return usage == null ? null : new ReportedUsage(Texts.number(usage, "input_tokens"), Texts.number(usage, "output_tokens"),
        usage.getValue("input_tokens_details") instanceof JsonObject d ? Texts.number(d, "cached_tokens") : -1, true);
  }

  @Override
  public boolean isUsageOnly(JsonObject event) {
    return false;
  }

  /** The text of the answer's message items. */
  @Override
  public String answerText(JsonObject response) {
    if (!(response.getValue("output") instanceof JsonArray output)) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    for (Object o : output) {
      String t = o instanceof JsonObject item && "message".equals(item.getValue("type")) ? Texts.text(item.getValue("content")) : null;
      if (t != null) {
        text.append(t);
      }
    }
    return text.isEmpty() ? null : text.toString();
  }

  @Override
  public StreamText streamText(TextFilter.Factory filters) {
    return new ResponsesStreamText(filters);
  }

  /**
   * {@code response.incomplete} with {@code incomplete_details.reason: "max_output_tokens"} and
   * the usage: what the API sends when a response reaches its bound. The items still open are left
   * as they are (the final response has the status that says why).
   */
  @Override
  public List<SseEvent> lengthStop(JsonObject body, boolean usageUnasked, SseEvent last, long input, long output) {
    String id = "resp";
    String model = body.getString("model", "");
    JsonObject data = last != null && last.hasData() ? Bridge.json(last) : null;
    if (data != null) {
      id = data.getString("response_id", data.getValue("response") instanceof JsonObject r ? r.getString("id", id) : id);
    }
    JsonObject response = new JsonObject().put("id", id).put("object", "response").put("status", "incomplete")
        .put("incomplete_details", new JsonObject().put("reason", "max_output_tokens")).put("model", model)
        .put("output", new JsonArray()).put("usage", usage(input, 0, output));
    return List.of(Bridge.named("response.incomplete", new JsonObject().put("type", "response.incomplete").put("response", response)));
  }

  /** The Responses API's usage object. */
  static JsonObject usage(long input, long cached, long output) {
    return new JsonObject().put("input_tokens", input).put("input_tokens_details", new JsonObject().put("cached_tokens", cached))
        .put("output_tokens", output).put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
        .put("total_tokens", input + output);
  }

  /** The Responses API's stream error event: its SDKs raise on it. */
  @Override
  public SseEvent errorEvent(int status, String type, String code, String message) {
    return Bridge.named("error", new JsonObject().put("type", "error").put("code", code).put("message", message).putNull("param"));
  }

  @Override
  public JsonObject errorBody(int status, String type, String code, String message) {
    return OpenAiChat.openAiError(type, code, message);
  }
}
