package io.portcullis.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.util.Set;

/**
 * An OpenAI chunk that only adds text: exactly one choice, whose delta has a {@code content}
 * string and no tool calls, and whose {@code finish_reason} is null or absent. Found with a
 * streaming parser, it knows where the content string lies in the event's JSON, so a scrubbed
 * text can be spliced in with every other byte of the event kept.
 *
 * @param bare whether the content is all the event says beyond what every chunk repeats (no role,
 *     no usage, no logprobs): such an event whose text is all held back can be left out
 */
record PlainDelta(String data, int index, String content, int contentStart, int contentEnd, boolean bare) {

  private static final JsonFactory JSON = new JsonFactory();
  /** Fields every chunk repeats: an event carrying only these and held text says nothing new. */
  private static final Set<String> REPEATED = Set.of("id", "object", "created", "model", "system_fingerprint",
      "service_tier", "obfuscation", "choices");

  /** The event data with the content string replaced by {@code text}. */
  String with(String text) {
    return data.substring(0, contentStart) + Json.encode(text) + data.substring(contentEnd);
  }

  /** The chunk as a plain delta, or null when it is anything else (or not JSON at all). */
  static PlainDelta of(String data) {
    try (JsonParser p = JSON.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      PlainDelta found = null;
      boolean bare = true;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        bare &= value == JsonToken.VALUE_NULL || REPEATED.contains(field);
        if (field.equals("choices")) {
          if (value != JsonToken.START_ARRAY || found != null || p.nextToken() != JsonToken.START_OBJECT) {
            return null;
          }
          found = choice(p, data);
          if (found == null || p.nextToken() != JsonToken.END_ARRAY) {
            return null; // not plain, or more than one choice
          }
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null || found == null) {
        return null;
      }
      return bare ? found : found.notBare();
    } catch (IOException e) {
      return null; // the general path decides what to do with it
    }
  }

  private PlainDelta notBare() {
    return new PlainDelta(data, index, content, contentStart, contentEnd, false);
  }

  private static PlainDelta choice(JsonParser p, String data) throws IOException {
    int index = 0;
    PlainDelta delta = null;
    boolean bare = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      bare &= value == JsonToken.VALUE_NULL || field.equals("index") || field.equals("delta");
      switch (field) {
        case "index" -> {
          if (value != JsonToken.VALUE_NUMBER_INT) {
            return null;
          }
          index = p.getIntValue();
        }
        case "finish_reason" -> {
          if (value != JsonToken.VALUE_NULL) {
            return null;
          }
        }
        case "delta" -> {
          if (value != JsonToken.START_OBJECT || delta != null) {
            return null;
          }
          delta = delta(p, data);
          if (delta == null) {
            return null;
          }
        }
        default -> p.skipChildren();
      }
    }
    return delta == null ? null
        : new PlainDelta(data, index, delta.content, delta.contentStart, delta.contentEnd, bare && delta.bare);
  }

  private static PlainDelta delta(JsonParser p, String data) throws IOException {
    PlainDelta content = null;
    boolean bare = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      bare &= value == JsonToken.VALUE_NULL || field.equals("content");
      if (field.equals("tool_calls") || (field.equals("content") && (value != JsonToken.VALUE_STRING || content != null))) {
        return null;
      }
      if (field.equals("content")) {
        int start = (int) p.currentTokenLocation().getCharOffset();
        String text = p.getText();
        int end = (int) p.currentLocation().getCharOffset();
        content = new PlainDelta(data, 0, text, start, end, true);
      } else {
        p.skipChildren();
      }
    }
    return content == null || bare ? content : content.notBare();
  }
}
