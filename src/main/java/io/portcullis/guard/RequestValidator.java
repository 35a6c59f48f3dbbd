package io.portcullis.guard;

import io.portcullis.config.GuardConfig;
import io.portcullis.forward.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Checks a parsed request body against its endpoint's shape and the caller's limits, once, on the
 * tree the parser built (no second parse). The first violation is returned as a message that names
 * the field ({@code messages[3].content: longer than 32000 characters}); null when the body passes.
 * With {@code unknown_fields: strip} the body is changed in place. On the way it collects the text
 * the injection screen reads (user and tool messages).
 */
public final class RequestValidator {

  private RequestValidator() {}

  /** The fields each endpoint defines (the OpenAI and Anthropic APIs as of this writing). */
  static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
      "max_completion_tokens", "n", "temperature", "top_p", "stop", "presence_penalty", "frequency_penalty", "logit_bias",
      "logprobs", "top_logprobs", "user", "tools", "tool_choice", "parallel_tool_calls", "response_format", "seed", "functions",
      "function_call", "modalities", "audio", "prediction", "reasoning_effort", "service_tier", "store", "metadata",
      "web_search_options", "verbosity", "safety_identifier", "prompt_cache_key");
  static final Set<String> EMBEDDING_FIELDS = Set.of("model", "input", "encoding_format", "dimensions", "user");
  static final Set<String> MESSAGES_FIELDS = Set.of("model", "messages", "system", "max_tokens", "metadata", "stop_sequences",
      "stream", "temperature", "top_k", "top_p", "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers");
  static final Set<String> CHAT_ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
  static final Set<String> MESSAGES_ROLES = Set.of("user", "assistant");

  /** A violation: the offending field's path, and what is wrong with it. */
  public record Violation(String code, String field, String message) {

    public String text() {
      return field + ": " + message;
    }
  }

  /** What validation leaves for the next guard: the texts to screen. */
  public static final class Result {
    public Violation violation;
    public final List<String> screened = new ArrayList<>();
  }

  public static Result validate(Endpoint endpoint, JsonObject body, GuardConfig.Validation rules) {
    Result r = new Result();
    r.violation = fields(endpoint, body, rules);
    if (r.violation == null) {
      r.violation = switch (endpoint) {
        case CHAT_COMPLETIONS -> chat(body, rules, r.screened);
        case MESSAGES -> messages(body, rules, r.screened);
        case EMBEDDINGS -> embeddings(body, rules);
      };
    }
    return r;
  }

  /** Forbidden and unknown top-level fields. */
  private static Violation fields(Endpoint endpoint, JsonObject body, GuardConfig.Validation rules) {
    Set<String> known = switch (endpoint) {
      case CHAT_COMPLETIONS -> CHAT_FIELDS;
      case MESSAGES -> MESSAGES_FIELDS;
      case EMBEDDINGS -> EMBEDDING_FIELDS;
    };
    for (Iterator<String> it = body.fieldNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      if (rules.forbidden().contains(name)) {
        return new Violation("parameter_not_allowed", name, "not allowed for your role");
      }
      if (!known.contains(name)) {
        switch (rules.unknownFields()) {
          case "reject" -> {
            return new Violation("unknown_parameter", shortName(name), "not a parameter of " + endpoint.path());
          }
          case "strip" -> it.remove();
          default -> { } // pass: the provider decides
        }
      }
    }
    return null;
  }

  /** A field name as quoted back: cut, so an error never echoes much of what the client sent. */
  private static String shortName(String name) {
    return name.length() > 40 ? name.substring(0, 40) + "..." : name;
  }

  private static Violation chat(JsonObject body, GuardConfig.Validation rules, List<String> screened) {
    JsonArray messages = body.getJsonArray("messages");
    Violation count = tooManyMessages(messages, rules);
    if (count != null) {
      return count;
    }
    long total = 0;
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) {
        return new Violation("invalid_message", at, "must be an object");
      }
      if (!(m.getValue("role") instanceof String role) || !CHAT_ROLES.contains(role)) {
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
        chars = textLength(content, at + ".content", role.equals("user") || role.equals("tool") ? screened : null);
        if (chars < 0) {
          return new Violation("invalid_content", at + ".content", "must be a string or an array of content parts with a type");
        }
      }
      total += chars;
      Violation tooLong = lengths(chars, total, at + ".content", rules);
      if (tooLong != null) {
        return tooLong;
      }
    }
    Violation v = tokens(body, "max_tokens", rules);
    v = v != null ? v : tokens(body, "max_completion_tokens", rules);
    v = v != null ? v : range(body, "n", 1, rules.maxN(), true);
    v = v != null ? v : range(body, "temperature", 0, 2, false);
    v = v != null ? v : range(body, "top_p", 0, 1, false);
    v = v != null ? v : range(body, "presence_penalty", -2, 2, false);
    v = v != null ? v : range(body, "frequency_penalty", -2, 2, false);
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

  private static Violation messages(JsonObject body, GuardConfig.Validation rules, List<String> screened) {
    JsonArray messages = body.getJsonArray("messages");
    Violation count = tooManyMessages(messages, rules);
    if (count != null) {
      return count;
    }
    long total = 0;
    Object system = body.getValue("system");
    if (system != null) {
      long chars = textLength(system, "system", null);
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
      if (!(m.getValue("role") instanceof String role) || !MESSAGES_ROLES.contains(role)) {
        return new Violation("invalid_role", at + ".role", "must be user or assistant");
      }
      long chars = m.getValue("content") == null ? -1 : textLength(m.getValue("content"), at + ".content", role.equals("user") ? screened : null);
      if (chars < 0) {
        return new Violation("invalid_content", at + ".content", "must be a string or an array of content blocks with a type");
      }
      total += chars;
      Violation tooLong = lengths(chars, total, at + ".content", rules);
      if (tooLong != null) {
        return tooLong;
      }
    }
    if (body.getValue("max_tokens") == null) {
      return new Violation("missing_max_tokens", "max_tokens", "is required");
    }
    Violation v = tokens(body, "max_tokens", rules);
    v = v != null ? v : range(body, "temperature", 0, 1, false);
    v = v != null ? v : range(body, "top_p", 0, 1, false);
    return v;
  }

  private static Violation embeddings(JsonObject body, GuardConfig.Validation rules) {
    Object input = body.getValue("input");
    if (input instanceof String s) {
      return s.length() > rules.maxMessageChars()
          ? new Violation("input_too_long", "input", "longer than " + rules.maxMessageChars() + " characters") : null;
    }
    if (!(input instanceof JsonArray items) || items.isEmpty()) {
      return new Violation("invalid_input", "input", "must be a string or a non-empty array");
    }
    if (items.size() > rules.maxInputs()) {
      return new Violation("too_many_inputs", "input", "more than " + rules.maxInputs() + " inputs");
    }
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.getValue(i);
      if (item instanceof String s) {
        if (s.length() > rules.maxMessageChars()) {
          return new Violation("input_too_long", "input[" + i + "]", "longer than " + rules.maxMessageChars() + " characters");
        }
        total += s.length();
      } else if (!(item instanceof Number) && !(item instanceof JsonArray tokens && tokens.stream().allMatch(t -> t instanceof Number))) {
        return new Violation("invalid_input", "input[" + i + "]", "must be a string, a token id or an array of token ids");
      }
      if (total > rules.maxTotalChars()) {
        return new Violation("request_too_long", "input", "more than " + rules.maxTotalChars() + " characters in all");
      }
    }
    return null;
  }

  /** Characters of text in a content value (a string or an array of typed parts); -1 when malformed. */
  private static long textLength(Object content, String at, List<String> screened) {
    if (content instanceof String s) {
      if (screened != null) {
        screened.add(s);
      }
      return s.length();
    }
    if (!(content instanceof JsonArray parts)) {
      return -1;
    }
    long n = 0;
    for (Object p : parts) {
      if (!(p instanceof JsonObject part) || !(part.getValue("type") instanceof String)) {
        return -1;
      }
      if (part.getValue("text") instanceof String t) {
        n += t.length();
        if (screened != null) {
          screened.add(t);
        }
      }
      // tool results carry their text in "content" (Anthropic) — screened like user text
      Object inner = part.getValue("content");
      if (inner != null && !(inner instanceof JsonObject)) {
        long c = textLength(inner, at, screened);
        if (c > 0) {
          n += c;
        }
      }
    }
    return n;
  }

  /** One message's characters, and the request's so far, against their bounds. */
  private static Violation lengths(long chars, long total, String at, GuardConfig.Validation rules) {
    if (chars > rules.maxMessageChars()) {
      return new Violation("message_too_long", at, "longer than " + rules.maxMessageChars() + " characters");
    }
    if (total > rules.maxTotalChars()) {
      return new Violation("request_too_long", "messages", "more than " + rules.maxTotalChars() + " characters in all");
    }
    return null;
  }

  private static Violation tooManyMessages(JsonArray messages, GuardConfig.Validation rules) {
    return messages.size() > rules.maxMessages()
        ? new Violation("too_many_messages", "messages", "more than " + rules.maxMessages() + " messages") : null;
  }

  private static Violation tokens(JsonObject body, String field, GuardConfig.Validation rules) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1) {
      return new Violation("invalid_" + field, field, "must be a positive integer");
    }
    if (((Number) v).longValue() > rules.maxTokens()) {
      return new Violation(field + "_too_large", field, "more than " + rules.maxTokens() + " is not allowed");
    }
    return null;
  }

  private static Violation range(JsonObject body, String field, double min, double max, boolean integer) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || (integer && !(v instanceof Integer || v instanceof Long))) {
      return new Violation("invalid_" + field, field, integer ? "must be an integer" : "must be a number");
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || d < min || d > max) {
      return new Violation("invalid_" + field, field, "must be between " + fmt(min) + " and " + fmt(max));
    }
    return null;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
