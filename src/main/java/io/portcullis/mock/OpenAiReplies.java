package io.portcullis.mock;

import static io.portcullis.mock.MockReplies.IDS;
import static io.portcullis.mock.MockReplies.bounded;
import static io.portcullis.mock.MockReplies.countPromptWords;
import static io.portcullis.mock.MockReplies.json;
import static io.portcullis.mock.MockReplies.lastUserText;
import static io.portcullis.mock.MockReplies.vector;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The mock's OpenAI answers: chat completions, the Responses API and embeddings, whole and streamed. */
final class OpenAiReplies {

  private OpenAiReplies() {}

  // ---- OpenAI chat completions -------------------------------------------------------------

  static void chat(MockExchange ex) {
    String last = lastUserText(ex.body().getJsonArray("messages", new JsonArray()));
    // "/tool <arguments>" answers with a tool call whose arguments stream in pieces
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour());
    List<String> tokens = bounded(all, ex, ex.body().getValue("max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens");
    String stop = tokens.size() < all.size() ? "length" : toolCall ? "tool_calls" : "stop";
    int promptTokens = countPromptWords(ex.body().getJsonArray("messages", new JsonArray()));
    int n = Math.max(1, Math.min(8, ex.body().getInteger("n", 1)));
    String id = "chatcmpl-mock" + IDS.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    int reported = ex.behaviour().reported(tokens.size() * n);
    JsonObject usage = new JsonObject().put("prompt_tokens", promptTokens)
        .put("completion_tokens", reported).put("total_tokens", promptTokens + reported);
    if (!ex.body().getBoolean("stream", false)) {
      JsonArray choices = new JsonArray();
      for (int i = 0; i < n; i++) {
        JsonObject message = new JsonObject().put("role", "assistant").put("content", String.join("", tokens));
        if (toolCall) {
          message.putNull("content").put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_mock1")
              .put("type", "function").put("function", new JsonObject().put("name", "lookup").put("arguments", String.join("", tokens)))));
        }
        choices.add(new JsonObject().put("index", i).put("message", message).putNull("logprobs").put("finish_reason", stop));
      }
      json(ex.req().response(), 200, new JsonObject().put("id", id).put("object", "chat.completion")
          .put("created", created).put("model", ex.model()).put("choices", choices).put("usage", usage));
      return;
    }
    boolean includeUsage = ex.body().getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
    JsonObject base = new JsonObject().put("id", id).put("object", "chat.completion.chunk")
        .put("created", created).put("model", ex.model()).putNull("system_fingerprint");
    new MockStream(ex, tokens.size()) {
      @Override
      void opening(StringBuilder out) {
        for (int i = 0; i < n; i++) {
          event(out, null, chunk(base, i, new JsonObject().put("role", "assistant").put("content", ""), null, includeUsage));
        }
      }

      @Override
      void token(StringBuilder out, int k) {
        for (int i = 0; i < n; i++) {
          if (toolCall) {
            JsonObject fn = new JsonObject().put("arguments", tokens.get(k));
            JsonObject call = new JsonObject().put("index", 0).put("function", fn);
            if (k == 0) {
              call.put("id", "call_mock1").put("type", "function");
              fn.put("name", "lookup");
            }
            event(out, null, chunk(base, i, new JsonObject().put("tool_calls", new JsonArray().add(call)), null, includeUsage));
            continue;
          }
          JsonObject c = base;
          if (ex.behaviour().stamp()) {
            c = base.copy().put("x_mock_sent_ns", System.nanoTime());
          }
          event(out, null, chunk(c, i, new JsonObject().put("content", tokens.get(k)), null, includeUsage));
        }
      }

      @Override
      void closing(StringBuilder out) {
        for (int i = 0; i < n; i++) {
          event(out, null, chunk(base, i, new JsonObject(), stop, includeUsage));
        }
        if (includeUsage) {
          event(out, null, base.copy().put("choices", new JsonArray()).put("usage", usage).encode());
        }
        out.append("data: [DONE]\n\n");
      }

      @Override
      void malformed(StringBuilder out) {
        out.append("data: {\"id\":\"").append(id).append("\",\"choices\":[{\"delta\":{\"content\":\"oops\n\n");
      }
    }.start();
  }

  static String chunk(JsonObject base, int index, JsonObject delta, String finish, boolean includeUsage) {
    JsonObject choice = new JsonObject().put("index", index).put("delta", delta).putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    JsonObject c = base.copy().put("choices", new JsonArray().add(choice));
    if (includeUsage) {
      c.putNull("usage");
    }
    return c.encode();
  }

  // ---- OpenAI Responses ------------------------------------------------------------------------

  static void responses(MockExchange ex) {
    String last = lastResponsesUserText(ex.body().getValue("input"));
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour());
    List<String> tokens = bounded(all, ex, "max_output_tokens");
    boolean incomplete = tokens.size() < all.size();
    int inputTokens = Math.max(1, last == null ? 0 : MockText.countWords(last));
    int reported = ex.behaviour().reported(tokens.size());
    long n = IDS.incrementAndGet();
    String id = "resp_mock" + n;
    String itemId = (toolCall ? "fc_mock" : "msg_mock") + n;
    JsonObject usage = new JsonObject().put("input_tokens", inputTokens)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", 0)).put("output_tokens", reported)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)).put("total_tokens", inputTokens + reported);
    String text = String.join("", tokens);
    JsonObject response = new JsonObject().put("id", id).put("object", "response")
        .put("created_at", System.currentTimeMillis() / 1000).put("model", ex.model());
    if (!ex.body().getBoolean("stream", false)) {
      json(ex.req().response(), 200, finished(response, responsesItem(toolCall, itemId, text, true), incomplete, usage));
      return;
    }
    new MockStream(ex, tokens.size()) {
      int sequence;

      void typed(StringBuilder out, String type, JsonObject data) {
        event(out, type, data.put("type", type).put("sequence_number", sequence++).encode());
      }

      @Override
      void opening(StringBuilder out) {
        JsonObject started = response.copy().put("status", "in_progress").put("output", new JsonArray()).putNull("usage");
        typed(out, "response.created", new JsonObject().put("response", started));
        typed(out, "response.in_progress", new JsonObject().put("response", started));
        typed(out, "response.output_item.added", new JsonObject().put("output_index", 0)
            .put("item", responsesItem(toolCall, itemId, "", false)));
        if (!toolCall) {
          typed(out, "response.content_part.added", new JsonObject().put("item_id", itemId).put("output_index", 0)
              .put("content_index", 0).put("part", outputText("")));
        }
      }

      @Override
      void token(StringBuilder out, int k) {
        if (toolCall) {
          typed(out, "response.function_call_arguments.delta", new JsonObject().put("item_id", itemId).put("output_index", 0)
              .put("delta", tokens.get(k)));
        } else {
          typed(out, "response.output_text.delta", new JsonObject().put("item_id", itemId).put("output_index", 0)
              .put("content_index", 0).put("delta", tokens.get(k)).put("logprobs", new JsonArray()));
        }
      }

      @Override
      void closing(StringBuilder out) {
        if (toolCall) {
          typed(out, "response.function_call_arguments.done", new JsonObject().put("item_id", itemId).put("output_index", 0)
              .put("arguments", text));
        } else {
          typed(out, "response.output_text.done", new JsonObject().put("item_id", itemId).put("output_index", 0)
              .put("content_index", 0).put("text", text).put("logprobs", new JsonArray()));
          typed(out, "response.content_part.done", new JsonObject().put("item_id", itemId).put("output_index", 0)
              .put("content_index", 0).put("part", outputText(text)));
        }
        JsonObject item = responsesItem(toolCall, itemId, text, true);
        typed(out, "response.output_item.done", new JsonObject().put("output_index", 0).put("item", item));
        typed(out, incomplete ? "response.incomplete" : "response.completed",
            new JsonObject().put("response", finished(response.copy(), item, incomplete, usage)));
      }

      @Override
      void malformed(StringBuilder out) {
        out.append("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"oops\n\n");
      }
    }.start();
  }

  /** The response object at its end: its one output item, its status, and the usage. */
  static JsonObject finished(JsonObject response, JsonObject item, boolean incomplete, JsonObject usage) {
    response.put("status", incomplete ? "incomplete" : "completed").put("output", new JsonArray().add(item)).put("usage", usage);
    if (incomplete) {
      response.put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    } else {
      response.putNull("incomplete_details");
    }
    return response;
  }

  /** A message with one output_text part, or a function call, as an output item. */
  static JsonObject responsesItem(boolean toolCall, String itemId, String text, boolean done) {
    String status = done ? "completed" : "in_progress";
    if (toolCall) {
      return new JsonObject().put("type", "function_call").put("id", itemId).put("call_id", "call_mock1")
          .put("name", "lookup").put("arguments", text).put("status", status);
    }
    return new JsonObject().put("type", "message").put("id", itemId).put("status", status).put("role", "assistant")
        .put("content", done ? new JsonArray().add(outputText(text)) : new JsonArray());
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray());
  }

  /** The text of the last user item of {@code input}: a string, or a list of items like chat messages. */
  static String lastResponsesUserText(Object input) {
    return input instanceof String s ? s : input instanceof JsonArray items ? lastUserText(items) : null;
  }

  // ---- embeddings ----------------------------------------------------------------------------

  static void embeddings(MockExchange ex) {
    Object input = ex.body().getValue("input");
    List<?> inputs = input instanceof JsonArray arr ? arr.getList() : List.of(input == null ? "" : input);
    JsonArray data = new JsonArray();
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String text = String.valueOf(inputs.get(i));
      tokens += MockText.countWords(text);
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", vector(text)));
    }
    json(ex.req().response(), 200, new JsonObject().put("object", "list").put("data", data).put("model", ex.model())
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)));
  }
}
