package io.portcullis.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * An Anthropic {@code content_block_delta} that only adds text ({@code text_delta}), read with a
 * streaming parser: most events of a Messages stream are these, and a translation needs only the
 * block's index and the text. Anything else (another delta type, another field) is null: the general
 * path reads it.
 */
record AnthropicTextDelta(int index, String text) {

  private static final JsonFactory JSON = new JsonFactory();

  static AnthropicTextDelta of(String data) {
    try (JsonParser p = JSON.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      boolean typed = false;
      int index = -1;
      String text = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> typed = value == JsonToken.VALUE_STRING && p.getText().equals("content_block_delta");
          case "index" -> index = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -2;
          case "delta" -> text = value == JsonToken.START_OBJECT ? text(p) : null;
          default -> {
            return null;
          }
        }
        if (!typed && field.equals("type") || index == -2 || (field.equals("delta") && text == null)) {
          return null;
        }
      }
      return typed && index >= 0 && text != null ? new AnthropicTextDelta(index, text) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The text of a {@code {"type":"text_delta","text":...}} delta, or null for any other. */
  private static String text(JsonParser p) throws IOException {
    boolean textDelta = false;
    String text = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (value != JsonToken.VALUE_STRING) {
        return null;
      }
      switch (field) {
        case "type" -> textDelta = p.getText().equals("text_delta");
        case "text" -> text = p.getText();
        default -> {
          return null;
        }
      }
    }
    return textDelta ? text : null;
  }
}
