package io.portcullis.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.Json;
import java.io.IOException;

/**
 * A Responses API {@code response.output_text.delta} that only adds text (no log probabilities),
 * read with a streaming parser that notes where the delta string lies, so a rewritten text is
 * spliced in with every other byte kept. Most events of a Responses stream are these; anything else
 * is null and takes the general path.
 */
record ResponsesTextDelta(String data, String itemId, int outputIndex, int contentIndex, String delta, int start, int end) {

  private static final JsonFactory JSON = new JsonFactory();

  /** The event data with the delta string replaced by {@code text}. */
  String with(String text) {
    return data.substring(0, start) + Json.encode(text) + data.substring(end);
  }

  static ResponsesTextDelta of(String data) {
    try (JsonParser p = JSON.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      boolean typed = false;
      String itemId = null;
      int output = -1;
      int content = -1;
      String delta = null;
      int start = 0;
      int end = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> typed = value == JsonToken.VALUE_STRING && p.getText().equals("response.output_text.delta");
          case "item_id" -> itemId = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "output_index" -> output = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
          case "content_index" -> content = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
          case "delta" -> {
            if (value != JsonToken.VALUE_STRING) {
              return null;
            }
            start = (int) p.currentTokenLocation().getCharOffset();
            delta = p.getText();
            end = (int) p.currentLocation().getCharOffset();
          }
          case "logprobs" -> {
            if (value != JsonToken.START_ARRAY || p.nextToken() != JsonToken.END_ARRAY) {
              return null; // log probabilities quote the text: the general path empties them
            }
          }
          case "sequence_number", "obfuscation" -> p.skipChildren();
          default -> {
            return null;
          }
        }
      }
      return typed && itemId != null && output >= 0 && content >= 0 && delta != null
          ? new ResponsesTextDelta(data, itemId, output, content, delta, start, end) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
