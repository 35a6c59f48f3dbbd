package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Responses API served over chat completions (a provider without {@code /responses}, or one
 * reached through chat: Anthropic's). {@code instructions} becomes the system message, input
 * messages chat messages, {@code function_call} items an assistant's tool calls and
 * {@code function_call_output} items tool messages; the answer's message and tool calls become
 * output items, {@code finish_reason: "length"} an incomplete response. Nothing is stored: a
 * request that refers to a stored response or conversation cannot be served this way.
 */
final class ResponsesOverChat implements Translation {

  /** Responses fields that need the provider's own Responses API (state, hosted prompts, background runs). */
  private static final Set<String> REFUSED = Set.of("previous_response_id", "conversation", "prompt", "background",
      "max_tool_calls", "top_logprobs");

  @Override
  public WireFormat client() {
    return WireFormat.OPENAI_RESPONSES;
  }

  @Override
  public WireFormat provider() {
    return WireFormat.OPENAI_CHAT;
  }

  @Override
  public JsonObject request(JsonObject body) {
    Bridge.refuse(body, REFUSED, "chat-completions");
    if (Boolean.TRUE.equals(body.getValue("background"))) {
      throw new Untranslatable("background", "needs a provider that serves the Responses API");
    }
    JsonObject out = new JsonObject().put("model", body.getValue("model"));
    JsonArray messages = new JsonArray();
    if (body.getValue("instructions") instanceof String instructions) {
      messages.add(new JsonObject().put("role", "system").put("content", instructions));
    }
    Object input = body.getValue("input");
    if (input instanceof String s) {
      messages.add(new JsonObject().put("role", "user").put("content", s));
    } else if (input instanceof JsonArray items) {
      for (int i = 0; i < items.size(); i++) {
        item(items.getJsonObject(i), "input[" + i + "]", messages);
      }
    }
    out.put("messages", messages);
    if (body.getValue("max_output_tokens") != null) {
      out.put("max_tokens", body.getValue("max_output_tokens"));
    }
    for (String field : new String[] {"temperature", "top_p", "parallel_tool_calls", "stream"}) {
      if (body.getValue(field) != null) {
        out.put(field, body.getValue(field));
      }
    }
    if (Boolean.TRUE.equals(body.getValue("stream"))) {
      out.put("stream_options", new JsonObject().put("include_usage", true));
    }
    Object user = body.getValue("safety_identifier") != null ? body.getValue("safety_identifier") : body.getValue("user");
    if (user != null) {
      out.put("user", user);
    }
    if (body.getValue("reasoning") instanceof JsonObject reasoning && reasoning.getValue("effort") != null) {
      out.put("reasoning_effort", reasoning.getValue("effort"));
    }
    if (body.getValue("text") instanceof JsonObject text && text.getValue("format") instanceof JsonObject format) {
      switch (String.valueOf(format.getValue("type"))) {
        case "text" -> { }
        case "json_object" -> out.put("response_format", new JsonObject().put("type", "json_object"));
        case "json_schema" -> {
          JsonObject schema = new JsonObject().put("name", format.getString("name", "response"))
              .put("schema", format.getValue("schema"));
          if (format.getValue("strict") != null) {
            schema.put("strict", format.getValue("strict"));
          }
          out.put("response_format", new JsonObject().put("type", "json_schema").put("json_schema", schema));
        }
        default -> throw new Untranslatable("text.format.type", "must be text, json_object or json_schema");
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
      JsonArray chatTools = new JsonArray();
      for (int i = 0; i < tools.size(); i++) {
        JsonObject tool = tools.getJsonObject(i);
        if (!"function".equals(tool.getValue("type"))) {
          throw new Untranslatable("tools[" + i + "].type", "hosted tools ('" + tool.getValue("type")
              + "') need a provider that serves the Responses API");
        }
        JsonObject fn = new JsonObject().put("name", tool.getString("name", ""));
        if (tool.getValue("description") instanceof String d) {
          fn.put("description", d);
        }
        fn.put("parameters", tool.getValue("parameters") instanceof JsonObject p ? p : new JsonObject().put("type", "object"));
        if (tool.getValue("strict") != null) {
          fn.put("strict", tool.getValue("strict"));
        }
        chatTools.add(new JsonObject().put("type", "function").put("function", fn));
      }
      out.put("tools", chatTools);
    }
    Object choice = body.getValue("tool_choice");
    if (choice instanceof String s) {
      out.put("tool_choice", s);
    } else if (choice instanceof JsonObject c) {
      if (!"function".equals(c.getValue("type"))) {
        throw new Untranslatable("tool_choice.type", "only function tool choices can be expressed in chat completions");
      }
      out.put("tool_choice", new JsonObject().put("type", "function").put("function", new JsonObject().put("name", c.getString("name", ""))));
    }
    return out;
  }

  /** One input item as chat messages: function calls join the assistant turn before them. */
  private static void item(JsonObject item, String at, JsonArray messages) {
    Object type = item.getValue("type");
    if (type == null || "message".equals(type)) {
      String role = item.getString("role");
      Object content = item.getValue("content");
      if (role.equals("assistant")) {
        messages.add(new JsonObject().put("role", "assistant").put("content", Bridge.plainText(content, at + ".content")));
      } else if (role.equals("user")) {
        messages.add(new JsonObject().put("role", "user").put("content", userContent(content, at + ".content")));
      } else {
        messages.add(new JsonObject().put("role", role).put("content", Bridge.plainText(content, at + ".content")));
      }
      return;
    }
    switch (String.valueOf(type)) {
      case "function_call" -> {
        JsonObject call = new JsonObject().put("id", item.getString("call_id", "")).put("type", "function").put("function",
            new JsonObject().put("name", item.getString("name", "")).put("arguments", item.getString("arguments", "{}")));
        JsonObject last = messages.isEmpty() ? null : messages.getJsonObject(messages.size() - 1);
        if (last != null && "assistant".equals(last.getString("role"))) {
          if (!(last.getValue("tool_calls") instanceof JsonArray)) {
            last.put("tool_calls", new JsonArray());
            if ("".equals(last.getValue("content"))) {
              last.putNull("content");
            }
          }
          last.getJsonArray("tool_calls").add(call);
        } else {
          messages.add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray().add(call)));
        }
      }
      case "function_call_output" -> messages.add(new JsonObject().put("role", "tool").put("tool_call_id", item.getString("call_id", ""))
          .put("content", Bridge.plainText(item.getValue("output"), at + ".output")));
      case "reasoning" -> { } // the provider's own reasoning of an earlier turn: chat has no place for it
      default -> throw new Untranslatable(at + ".type", "'" + type + "' items need a provider that serves the Responses API");
    }
  }

  private static Object userContent(Object content, String at) {
    if (content instanceof String s) {
      return s;
    }
    if (!(content instanceof JsonArray parts)) {
      throw new Untranslatable(at, "must be a string or an array of content parts");
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      switch (String.valueOf(part.getValue("type"))) {
        case "input_text", "text" -> out.add(new JsonObject().put("type", "text").put("text", part.getString("text", "")));
        case "input_image" -> {
          if (!(part.getValue("image_url") instanceof String url)) {
            throw new Untranslatable(at + "[" + i + "].image_url", "images by file_id need a provider that serves the Responses API");
          }
          JsonObject image = new JsonObject().put("url", url);
          if (part.getValue("detail") != null) {
            image.put("detail", part.getValue("detail"));
          }
          out.add(new JsonObject().put("type", "image_url").put("image_url", image));
        }
        default -> throw new Untranslatable(at + "[" + i + "].type", "'" + part.getValue("type") + "' parts cannot be expressed in chat completions");
      }
    }
    return out;
  }

  // ---- the answer ------------------------------------------------------------------------------

  /** Chat usage in the Responses API's terms (cached prompt tokens are part of the input in both). */
  static JsonObject usage(JsonObject u) {
    if (u == null) {
      return null;
    }
    long cached = u.getValue("prompt_tokens_details") instanceof JsonObject d ? Math.max(0, Texts.number(d, "cached_tokens")) : 0;
    return OpenAiResponses.usage(Math.max(0, Texts.number(u, "prompt_tokens")), cached, Math.max(0, Texts.number(u, "completion_tokens")));
  }

  /** The response object, as {@code response.created} and the final events carry it. */
  static JsonObject response(String id, String model, String status, JsonObject request) {
    JsonObject r = new JsonObject().put("id", id).put("object", "response").put("created_at", System.currentTimeMillis() / 1000)
        .put("status", status).putNull("error").putNull("incomplete_details").put("model", model).put("output", new JsonArray())
        .put("parallel_tool_calls", request.getBoolean("parallel_tool_calls", true))
        .put("tool_choice", request.getValue("tool_choice") != null ? request.getValue("tool_choice") : "auto")
        .put("tools", request.getValue("tools") instanceof JsonArray t ? t : new JsonArray()).put("store", false).putNull("usage");
    for (String echoed : new String[] {"instructions", "max_output_tokens", "temperature", "top_p", "metadata"}) {
      r.put(echoed, request.getValue(echoed));
    }
    return r;
  }

  static JsonObject messageItem(String id, String text, String status) {
    return new JsonObject().put("type", "message").put("id", id).put("status", status).put("role", "assistant")
        .put("content", new JsonArray().add(outputText(text)));
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray());
  }

  static JsonObject callItem(String id, String callId, String name, String arguments, String status) {
    return new JsonObject().put("type", "function_call").put("id", id).put("call_id", callId).put("name", name)
        .put("arguments", arguments).put("status", status);
  }

  /** {@code incomplete} with its reason when the answer hit a bound, else {@code completed}. */
  static void finish(JsonObject response, String finishReason) {
    if ("length".equals(finishReason)) {
      response.put("status", "incomplete").put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    } else if ("content_filter".equals(finishReason)) {
      response.put("status", "incomplete").put("incomplete_details", new JsonObject().put("reason", "content_filter"));
    } else {
      response.put("status", "completed");
    }
  }

  @Override
  public JsonObject response(JsonObject answer, JsonObject request) {
    String id = "resp_" + answer.getString("id", "chat");
    JsonObject response = response(id, answer.getString("model", ""), "completed", request);
    JsonArray output = response.getJsonArray("output");
    String finish = null;
    if (answer.getValue("choices") instanceof JsonArray choices && !choices.isEmpty() && choices.getValue(0) instanceof JsonObject choice) {
      finish = choice.getString("finish_reason");
      JsonObject message = choice.getValue("message") instanceof JsonObject m ? m : new JsonObject();
      String text = Texts.text(message.getValue("content"));
      if (text != null && !text.isEmpty()) {
        output.add(messageItem("msg_" + answer.getString("id", "chat"), text, "completed"));
      }
      if (message.getValue("tool_calls") instanceof JsonArray calls) {
        for (Object c : calls) {
          if (c instanceof JsonObject call && call.getValue("function") instanceof JsonObject fn) {
            output.add(callItem("fc_" + call.getString("id", ""), call.getString("id", ""), fn.getString("name", ""),
                fn.getString("arguments", ""), "completed"));
          }
        }
      }
    }
    finish(response, finish);
    return response.put("usage", usage(answer.getValue("usage") instanceof JsonObject u ? u : new JsonObject()));
  }

  @Override
  public EventTranslator stream(JsonObject request, boolean usageUnasked) {
    return new ResponsesEvents(request);
  }
}
