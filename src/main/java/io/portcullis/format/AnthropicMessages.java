package io.portcullis.format;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.ProviderType;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/** Anthropic's Messages API ({@code /v1/messages}). */
public final class AnthropicMessages implements WireFormat {

  static final String DEFAULT_VERSION = "2023-06-01";
  static final Set<String> FIELDS = Set.of("model", "messages", "system", "max_tokens", "metadata", "stop_sequences",
      "stream", "temperature", "top_k", "top_p", "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers");
  static final Set<String> ROLES = Set.of("user", "assistant");

  AnthropicMessages() {}

  @Override
  public ProviderType spokenBy() {
    return ProviderType.ANTHROPIC;
  }

  @Override
  public String upstreamPath() {
    return "/messages";
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
    Object system = body.getValue("system");
    if (system != null) {
      long chars = Texts.textLength(system, null);
      if (chars < 0) {
        return new Violation("invalid_system", "system", "must be a string or an array of text blocks");
      }
      total += chars;
    }
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) {
        return new Violation("invalid_message", at, "must be an object");
      }
      if (!(m.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        return new Violation("invalid_role", at + ".role", "must be user or assistant");
      }
      long chars = m.getValue("content") == null ? -1
          : Texts.textLength(m.getValue("content"), role.equals("user") ? screened : null);
      if (chars < 0) {
        return new Violation("invalid_content", at + ".content", "must be a string or an array of content blocks with a type");
      }
      total += chars;
      Violation tooLong = Texts.lengths(chars, total, at + ".content", rules.maxMessageChars(), rules.maxTotalChars());
      if (tooLong != null) {
        return tooLong;
      }
    }
    if (body.getValue("max_tokens") == null) {
      return new Violation("missing_max_tokens", "max_tokens", "is required");
    }
    Violation v = Texts.tokens(body, "max_tokens", rules.maxTokens());
    v = v != null ? v : Texts.range(body, "temperature", 0, 1, false);
    v = v != null ? v : Texts.range(body, "top_p", 0, 1, false);
    return v;
  }

  @Override
  public long promptTokens(JsonObject body, ToIntFunction<String> counter) {
    return Texts.conversationTokens(body, counter);
  }


  @Override
  public long maxCompletionTokens(JsonObject body, long fallback) {
    long bound = Texts.positive(body, "max_tokens");
    return bound == 0 ? fallback : bound;
  }

  /** A Messages stream always reports its usage ({@code message_start} and {@code message_delta}). */
  @Override
  public boolean askForStreamUsage(JsonObject body) {
    return false;
  }

  @Override
  public String lastUserText(JsonObject body) {
    return body.getValue("messages") instanceof JsonArray messages ? Texts.lastUserText(messages) : null;
  }

  /** The API version and beta flags are the caller's choice of wire format, not credentials. */
  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    String version = client.get("anthropic-version");
    upstream.set("anthropic-version", version != null ? version : DEFAULT_VERSION);
    if (client.get("anthropic-beta") != null) {
      upstream.set("anthropic-beta", client.get("anthropic-beta"));
    }
  }

  /** {@code usage} of a body or {@code message_delta} (cumulative output), or {@code message.usage} of {@code message_start}. */
  @Override
  public ReportedUsage usage(JsonObject json) {
    JsonObject usage = json.getValue("usage") instanceof JsonObject u ? u
        : json.getValue("message") instanceof JsonObject m && m.getValue("usage") instanceof JsonObject u ? u : null;
    return usage == null ? null : new ReportedUsage(Texts.number(usage, "input_tokens"), Texts.number(usage, "output_tokens"),
        Texts.number(usage, "cache_read_input_tokens"), false);
  }

  @Override
  public boolean isUsageOnly(JsonObject event) {
    return false;
  }

  @Override
  public String answerText(JsonObject response) {
    return response.getValue("content") instanceof JsonArray blocks ? Texts.text(blocks) : null;
  }

  @Override
  public StreamText streamText(TextFilter.Factory filters) {
    return new AnthropicStreamText(filters);
  }

  /**
   * {@code content_block_stop} for the block the last event was in (if it was still open), then
   * {@code message_delta} with {@code stop_reason: "max_tokens"} and the output tokens, then
   * {@code message_stop}.
   */
  @Override
  public List<SseEvent> lengthStop(JsonObject body, boolean usageUnasked, SseEvent last, long input, long output) {
    List<SseEvent> out = new ArrayList<>();
    if (last != null && last.hasData()) {
      try {
        JsonObject event = new JsonObject(last.data());
        String type = event.getString("type", "");
        if ((type.equals("content_block_delta") || type.equals("content_block_start")) && event.getValue("index") instanceof Number i) {
          out.add(named("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", i)));
        }
      } catch (RuntimeException notJson) {
        // no block to close
      }
    }
    out.add(named("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", "max_tokens").putNull("stop_sequence"))
        .put("usage", new JsonObject().put("output_tokens", output))));
    out.add(named("message_stop", new JsonObject().put("type", "message_stop")));
    return out;
  }

  private static SseEvent named(String name, JsonObject data) {
    return new SseEvent(List.of(new SseField("event", name), SseField.data(data.encode())));
  }

  /** Anthropic streams report failures as an {@code error} event; its SDKs raise on it. */
  @Override
  public SseEvent errorEvent(int status, String type, String code, String message) {
    return new SseEvent(List.of(new SseField("event", "error"),
        SseField.data(errorBody(status, type, code, message).encode())));
  }

  /**
   * Anthropic's error shape, {@code {"type":"error","error":{"type","message"}}}, with Anthropic's
   * type for the status (its SDKs pick the exception class by it); the gateway's own code is in
   * the {@code x-portcullis-error} header.
   */
  @Override
  public JsonObject errorBody(int status, String type, String code, String message) {
    return new JsonObject().put("type", "error").put("error", new JsonObject()
        .put("type", anthropicType(status)).put("message", message));
  }

  static String anthropicType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }
}
