package io.portcullis.observe;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The texts the access log may show (when configured to): the last user message and the answer. */
public final class Prompts {

  private Prompts() {}

  /** The last user message of a chat or messages request, or an embeddings request's first input; else null. */
  public static String lastUserText(JsonObject body) {
    if (body.getValue("messages") instanceof JsonArray messages) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (messages.getValue(i) instanceof JsonObject m && "user".equals(m.getValue("role"))) {
          return text(m.getValue("content"));
        }
      }
      return null;
    }
    Object input = body.getValue("input");
    if (input instanceof JsonArray a && !a.isEmpty()) {
      input = a.getValue(0);
    }
    return input instanceof String s ? s : null;
  }

  /** The text of a whole (non-streamed) answer: OpenAI's first choice, or Anthropic's text blocks. */
  public static String answerText(JsonObject response) {
    if (response.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice && choice.getValue("message") instanceof JsonObject message) {
      return text(message.getValue("content"));
    }
    return response.getValue("content") instanceof JsonArray blocks ? text(blocks) : null;
  }

  /** A content value: a string, or the text parts of an array of blocks. */
  private static String text(Object content) {
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
}
