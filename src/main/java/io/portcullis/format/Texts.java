package io.portcullis.format;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToIntFunction;

/** What the formats share about text: content values (a string or typed parts), counting and checking them. */
final class Texts {

  static final byte[] USAGE = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

  private Texts() {}

  /** A content value: a string, or the text parts of an array of blocks; null when it has none. */
  static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder out = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof JsonObject o && o.getValue("text") instanceof String t) {
          out.append(t);
        }
      }
      return out.isEmpty() ? null : out.toString();
    }
    return null;
  }

  /** Tokens of a content value: a string, or the {@code text} of each part (images and other parts are not text). */
  static long tokens(Object content, ToIntFunction<String> counter) {
    if (content instanceof String s) {
      return counter.applyAsInt(s);
    }
    long n = 0;
    if (content instanceof JsonArray parts) {
      for (Object p : parts) {
        if (p instanceof JsonObject part && part.getValue("text") instanceof String text) {
          n += counter.applyAsInt(text);
        } else if (p instanceof String s) {
          n += counter.applyAsInt(s);
        }
      }
    }
    return n;
  }

  /** Role and framing tokens per message, and priming of the reply (chat-style formats). */
  private static final int PER_MESSAGE = 4;
  private static final int REPLY_PRIMING = 3;

  /**
   * The prompt tokens of a conversation: the system prompt (Anthropic's top-level {@code system}),
   * each message's text and tool calls with their framing, and the tool definitions.
   */
  static long conversationTokens(JsonObject body, ToIntFunction<String> counter) {
    long n = REPLY_PRIMING + tokens(body.getValue("system"), counter);
    if (body.getValue("messages") instanceof JsonArray messages) {
      for (Object m : messages) {
        if (m instanceof JsonObject message) {
          n += PER_MESSAGE + tokens(message.getValue("content"), counter);
          if (message.getValue("tool_calls") instanceof JsonArray calls) {
            n += counter.applyAsInt(calls.encode());
          }
        }
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += counter.applyAsInt(tools.encode());
    }
    return n;
  }

  /** A whole text through a filter of its own (a provider's error message inside a stream). */
  static String filterWhole(TextFilter.Factory filters, String text) {
    TextFilter once = filters.open(false);
    return once.feed(text) + once.finish();
  }

  /** The last message with role {@code user}: its text, or null. */
  static String lastUserText(JsonArray messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.getValue(i) instanceof JsonObject m && "user".equals(m.getValue("role"))) {
        return text(m.getValue("content"));
      }
    }
    return null;
  }

  /** A non-empty {@code messages} array, or the problem. */
  static String missingMessages(JsonObject body) {
    return body.getValue("messages") instanceof JsonArray a && !a.isEmpty()
        ? null : "'messages' is required and must be a non-empty array";
  }

  /** A positive integer field's value, or 0. */
  static long positive(JsonObject body, String field) {
    return body.getValue(field) instanceof Number n && n.longValue() > 0 ? n.longValue() : 0;
  }

  static long number(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? n.longValue() : -1;
  }

  /** Whether the bytes hold {@code key} (a quoted member name) followed by an object. */
  static boolean mayCarryUsage(byte[] wire, byte[] key) {
    outer:
    for (int at = 0; at + key.length <= wire.length; at++) {
      for (int k = 0; k < key.length; k++) {
        if (wire[at + k] != key[k]) {
          continue outer;
        }
      }
      int k = at + key.length;
      while (k < wire.length && (wire[k] == ' ' || wire[k] == ':')) {
        k++;
      }
      if (k < wire.length && wire[k] == '{') {
        return true;
      }
    }
    return false;
  }

  // ---- validation, shared by the formats' rules ---------------------------------------------------

  /** Characters of text in a content value (a string or an array of typed parts); -1 when malformed. */
  static long textLength(Object content, List<String> screened) {
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
        long c = textLength(inner, screened);
        if (c > 0) {
          n += c;
        }
      }
    }
    return n;
  }

  /** One message's characters, and the request's so far, against their bounds. */
  static Violation lengths(long chars, long total, String at, long maxChars, long maxTotal) {
    if (chars > maxChars) {
      return new Violation("message_too_long", at, "longer than " + maxChars + " characters");
    }
    if (total > maxTotal) {
      return new Violation("request_too_long", "messages", "more than " + maxTotal + " characters in all");
    }
    return null;
  }

  static Violation tooManyMessages(JsonArray messages, int max) {
    return messages.size() > max ? new Violation("too_many_messages", "messages", "more than " + max + " messages") : null;
  }

  static Violation tokens(JsonObject body, String field, long max) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1) {
      return new Violation("invalid_" + field, field, "must be a positive integer");
    }
    if (((Number) v).longValue() > max) {
      return new Violation(field + "_too_large", field, "more than " + max + " is not allowed");
    }
    return null;
  }

  static Violation range(JsonObject body, String field, double min, double max, boolean integer) {
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
