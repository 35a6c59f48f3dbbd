package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/** What the translations between formats share: error shapes, images, tool arguments, events. */
final class Bridge {

  private Bridge() {}

  /** The OpenAI error type for an HTTP status (the client's format derives its own from it). */
  static String openAiType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "upstream_error" : "invalid_request_error";
    };
  }

  /** {@code error.message} of a provider's error body (every format here puts it there), else a plain phrase. */
  static String errorMessage(JsonObject body, int status) {
    if (body != null && body.getValue("error") instanceof JsonObject e && e.getValue("message") instanceof String m) {
      return m;
    }
    return "the model provider answered with status " + status;
  }

  /** A named SSE event ({@code event:} line, then the JSON data), as Anthropic and the Responses API send them. */
  static SseEvent named(String name, JsonObject data) {
    return new SseEvent(List.of(new SseField("event", name), SseField.data(data.encode())));
  }

  /** A stream event's data as a JSON object, or null when it is not one. */
  static JsonObject json(SseEvent event) {
    try {
      return new JsonObject(event.data());
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** A tool call's arguments (JSON source text) as an object; refused when they are not a JSON object. */
  static JsonObject arguments(Object arguments, String field) {
    if (arguments == null || (arguments instanceof String s && s.isBlank())) {
      return new JsonObject();
    }
    if (arguments instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (DecodeException | ClassCastException e) {
        throw new Untranslatable(field, "must be a JSON object to be sent as a tool call's input");
      }
    }
    throw new Untranslatable(field, "must be a string of JSON");
  }

  /** Fails when a request asks for more than one answer ({@code n}): the provider's format gives one. */
  static void oneAnswer(JsonObject body, String provider) {
    if (body.getValue("n") instanceof Number n && n.intValue() != 1) {
      throw new Untranslatable("n", provider + " providers are asked for one answer per request");
    }
  }

  /**
   * Adds a turn's items ({@code field}: Anthropic's content blocks, Gemini's parts) to the
   * conversation; consecutive turns of one role become one turn, as these formats want them.
   */
  static void appendTurn(JsonArray turns, String role, String field, JsonArray items) {
    JsonObject last = turns.isEmpty() ? null : turns.getJsonObject(turns.size() - 1);
    if (last != null && role.equals(last.getString("role"))) {
      last.getJsonArray(field).addAll(items);
    } else {
      turns.add(new JsonObject().put("role", role).put(field, items));
    }
  }

  /** Fails when a field the provider's format has no place for is set to anything but null. */
  static void refuse(JsonObject body, Set<String> fields, String provider) {
    for (String field : fields) {
      if (body.getValue(field) != null) {
        throw new Untranslatable(field, "cannot be expressed for " + provider + " providers");
      }
    }
  }

  /** An OpenAI {@code image_url} part ({@code url} may be a {@code data:} URL) as an Anthropic image block. */
  static JsonObject anthropicImage(Object imageUrl, String field) {
    return new JsonObject().put("type", "image").put("source", imageSource(imageUrl, field));
  }

  /**
   * Where an OpenAI {@code image_url} part's image is: {@code {type: base64, media_type, data}} for
   * a {@code data:} URL, {@code {type: url, url}} otherwise (Anthropic's image source shape).
   */
  static JsonObject imageSource(Object imageUrl, String field) {
    String url = imageUrl instanceof JsonObject o && o.getValue("url") instanceof String u ? u
        : imageUrl instanceof String u ? u : null;
    if (url == null) {
      throw new Untranslatable(field, "must have a url");
    }
    if (url.startsWith("data:")) {
      int comma = url.indexOf(',');
      String meta = comma < 0 ? "" : url.substring(5, comma);
      if (comma < 0 || !meta.endsWith(";base64")) {
        throw new Untranslatable(field, "a data URL must be base64");
      }
      return new JsonObject().put("type", "base64").put("media_type", meta.substring(0, meta.length() - 7))
          .put("data", url.substring(comma + 1));
    }
    return new JsonObject().put("type", "url").put("url", url);
  }

  /** An Anthropic image block as an OpenAI {@code image_url} part. */
  static JsonObject openAiImage(JsonObject block, String field) {
    if (!(block.getValue("source") instanceof JsonObject source)) {
      throw new Untranslatable(field + ".source", "is required");
    }
    String url = switch (String.valueOf(source.getValue("type"))) {
      case "base64" -> "data:" + source.getString("media_type", "image/png") + ";base64," + source.getString("data", "");
      case "url" -> source.getString("url", "");
      default -> throw new Untranslatable(field + ".source.type", "only base64 and url images can be expressed for OpenAI providers");
    };
    return new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url));
  }

  /** Text of a string or an array of text blocks (a system prompt, a tool result); refused for other blocks. */
  static String plainText(Object content, String field) {
    if (content == null) {
      return "";
    }
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < parts.size(); i++) {
        if (parts.getValue(i) instanceof JsonObject p && p.getValue("text") instanceof String t
            && ("text".equals(p.getValue("type")) || "input_text".equals(p.getValue("type")) || "output_text".equals(p.getValue("type")))) {
          if (!out.isEmpty()) {
            out.append("\n\n");
          }
          out.append(t);
        } else {
          throw new Untranslatable(field + "[" + i + "]", "only text can be expressed here");
        }
      }
      return out.toString();
    }
    throw new Untranslatable(field, "must be a string or an array of text parts");
  }
}
