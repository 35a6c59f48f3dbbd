package io.portcullis.mock;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** What the mock's answers share: ids, the text a request asks for, bounds, errors, writing JSON. */
final class MockReplies {

  /** Ids of answers, unique within the process. */
  static final AtomicLong IDS = new AtomicLong();

  private MockReplies() {}

  /**
   * The completion as a provider bounds it: cut at the request's {@code field} (each token of the
   * mock counts as one), unless the behaviour is to ignore it.
   */
  static List<String> bounded(List<String> tokens, MockExchange ex, String field) {
    Object max = ex.body().getValue(field);
    if (ex.behaviour().ignoreMaxTokens() || !(max instanceof Number m) || m.longValue() < 0 || m.longValue() >= tokens.size()) {
      return tokens;
    }
    return tokens.subList(0, (int) m.longValue());
  }

  /** A tool call's arguments as an object: the JSON they are, or {"text": ...} when they are not JSON. */
  static JsonObject toolInput(String arguments) {
    try {
      return new JsonObject(arguments);
    } catch (RuntimeException notJson) {
      return new JsonObject().put("text", arguments);
    }
  }

  /** An 8-dimensional vector that depends on the text only. */
  static JsonArray vector(String text) {
    JsonArray vector = new JsonArray();
    int h = text.hashCode();
    for (int d = 0; d < 8; d++) {
      vector.add(((h >> (d * 4)) & 0xF) / 15.0);
    }
    return vector;
  }

  static String lastUserText(JsonArray messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      Object m = messages.getValue(i);
      if (m instanceof JsonObject msg && "user".equals(msg.getString("role"))) {
        Object content = msg.getValue("content");
        if (content instanceof String s) {
          return s;
        }
        if (content instanceof JsonArray parts) {
          return partsText(parts);
        }
      }
    }
    return null;
  }

  /** The {@code text} of each part that has one, joined (typed content blocks, Gemini parts). */
  static String partsText(JsonArray parts) {
    StringBuilder text = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof JsonObject part && part.getValue("text") instanceof String t) {
        text.append(t);
      }
    }
    return text.toString();
  }

  static int countPromptWords(JsonArray messages) {
    int n = 0;
    for (Object m : messages) {
      if (m instanceof JsonObject msg && msg.getValue("content") instanceof String s) {
        n += MockText.countWords(s);
      }
    }
    return Math.max(1, n);
  }

  static JsonObject openAiError(String message, String type) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
        .putNull("param").put("code", type));
  }

  static JsonObject anthropicError(String type, String message) {
    return new JsonObject().put("type", "error").put("error", new JsonObject().put("type", type).put("message", message));
  }

  static void json(HttpServerResponse res, int status, JsonObject body) {
    if (res.closed()) {
      return;
    }
    res.setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
