package io.portcullis.mock;

import io.portcullis.config.MockConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server speaking OpenAI chat completions / responses / embeddings / models, Anthropic Messages
 * and Google Gemini ({@code models/{model}:generateContent}, {@code :streamGenerateContent} with
 * {@code alt=sse} or as a JSON array, {@code :batchEmbedContents}), streaming and not, with a token
 * pace and injectable faults ({@link MockBehaviour}).
 * It is the offline upstream of the default config, of the tests and of the benchmarks.
 */
public final class MockProviderVerticle extends VerticleBase {

  private static final AtomicLong IDS = new AtomicLong();
  /** Tokens written in one turn of the event loop at rate 0 before it yields. */
  private static final int MAX_BURST = 256;

  private final MockConfig config;
  private final MockStats stats;
  private HttpServer server;

  public MockProviderVerticle(MockConfig config, MockStats stats) {
    this.config = config;
    this.stats = stats;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
        .requestHandler(this::handle);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    stats.requests.incrementAndGet();
    req.body().onSuccess(body -> {
      stats.record(new MockStats.Seen(req.method().name(), req.path(), req.headers(), body.toString()));
      String path = req.path();
      if (path.endsWith("/models") && req.method().name().equals("GET")) {
        json(req.response(), 200, new JsonObject().put("object", "list").put("data", new JsonArray()
            .add(new JsonObject().put("id", "mock-model").put("object", "model").put("owned_by", "mock"))));
        return;
      }
      JsonObject json;
      try {
        json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (DecodeException e) {
        json(req.response(), 400, openAiError("invalid JSON body", "invalid_request_error"));
        return;
      }
      // Gemini names the model and the method in the path: /v1beta/models/{model}:{method}
      String inPath = geminiModel(path);
      String model = inPath != null ? inPath : json.getString("model", "mock-model");
      MockBehaviour behaviour = MockBehaviour.defaults(config).with(model);
      MockExchange exchange = new MockExchange(req, json, MockBehaviour.baseModel(model), behaviour);
      if (behaviour.firstByteDelayMs() > 0) {
        vertx.setTimer(behaviour.firstByteDelayMs(), t -> route(exchange));
      } else {
        route(exchange);
      }
    });
  }

  private void route(MockExchange ex) {
    String path = ex.req.path();
    boolean anthropic = path.endsWith("/messages");
    String gemini = geminiMethod(path);
    if (ex.behaviour.status() != 200) {
      HttpServerResponse res = ex.req.response();
      if (ex.behaviour.status() == 429) {
        res.putHeader("retry-after", String.valueOf(ex.behaviour.retryAfterSeconds()));
      }
      String type = ex.behaviour.status() == 429 ? "rate_limit_error" : ex.behaviour.status() == 401 ? "invalid_api_key" : "server_error";
      String message = "mock fault " + ex.behaviour.status();
      if (ex.behaviour.status() == 401) {
        // as real providers do: the refused key quoted back (what a gateway must never log)
        String auth = ex.req.getHeader("authorization");
        String key = auth != null ? auth.replaceFirst("(?i)^bearer\\s+", "") : ex.req.getHeader("x-api-key");
        message = "Incorrect API key provided: " + key + ". You can find your API key in your account settings.";
      }
      if (gemini != null && ex.behaviour.status() == 401) {
        message = "API key not valid: " + ex.req.getHeader("x-goog-api-key") + ". Please pass a valid API key.";
      }
      json(res, ex.behaviour.status(), anthropic ? anthropicError(type, message)
          : gemini != null ? geminiError(ex.behaviour.status(), message) : openAiError(message, type));
      return;
    }
    if (gemini != null) {
      // as Google's APIs do: a field the method does not define is refused, not ignored
      Set<String> known = gemini.equals("batchEmbedContents") ? GEMINI_EMBED_FIELDS : GEMINI_FIELDS;
      for (String field : ex.body.fieldNames()) {
        if (!known.contains(field)) {
          json(ex.req.response(), 400, geminiError(400, "Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field."));
          return;
        }
      }
      switch (gemini) {
        case "generateContent", "streamGenerateContent" -> generateContent(ex, gemini.startsWith("stream"));
        case "batchEmbedContents" -> batchEmbedContents(ex);
        default -> json(ex.req.response(), 404, geminiError(404, "no such method " + gemini));
      }
      return;
    }
    if (path.endsWith("/chat/completions")) {
      chat(ex);
    } else if (path.endsWith("/responses")) {
      responses(ex);
    } else if (path.endsWith("/embeddings")) {
      embeddings(ex);
    } else if (anthropic) {
      messages(ex);
    } else {
      json(ex.req.response(), 404, openAiError("no such path " + path, "invalid_request_error"));
    }
  }

  // ---- OpenAI chat completions -------------------------------------------------------------

  private void chat(MockExchange ex) {
    String last = lastUserText(ex.body.getJsonArray("messages", new JsonArray()));
    // "/tool <arguments>" answers with a tool call whose arguments stream in pieces
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour);
    List<String> tokens = bounded(all, ex, ex.body.getValue("max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens");
    String stop = tokens.size() < all.size() ? "length" : toolCall ? "tool_calls" : "stop";
    int promptTokens = countPromptWords(ex.body.getJsonArray("messages", new JsonArray()));
    int n = Math.max(1, Math.min(8, ex.body.getInteger("n", 1)));
    String id = "chatcmpl-mock" + IDS.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    int reported = ex.behaviour.reported(tokens.size() * n);
    JsonObject usage = new JsonObject().put("prompt_tokens", promptTokens)
        .put("completion_tokens", reported).put("total_tokens", promptTokens + reported);
    if (!ex.body.getBoolean("stream", false)) {
      JsonArray choices = new JsonArray();
      for (int i = 0; i < n; i++) {
        JsonObject message = new JsonObject().put("role", "assistant").put("content", String.join("", tokens));
        if (toolCall) {
          message.putNull("content").put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_mock1")
              .put("type", "function").put("function", new JsonObject().put("name", "lookup").put("arguments", String.join("", tokens)))));
        }
        choices.add(new JsonObject().put("index", i).put("message", message).putNull("logprobs").put("finish_reason", stop));
      }
      json(ex.req.response(), 200, new JsonObject().put("id", id).put("object", "chat.completion")
          .put("created", created).put("model", ex.model).put("choices", choices).put("usage", usage));
      return;
    }
    boolean includeUsage = ex.body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
    JsonObject base = new JsonObject().put("id", id).put("object", "chat.completion.chunk")
        .put("created", created).put("model", ex.model).putNull("system_fingerprint");
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
          if (ex.behaviour.stamp()) {
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

  /**
   * The completion as a provider bounds it: cut at the request's {@code field} (each token of the
   * mock counts as one), unless the behaviour is to ignore it.
   */
  private static List<String> bounded(List<String> tokens, MockExchange ex, String field) {
    Object max = ex.body.getValue(field);
    if (ex.behaviour.ignoreMaxTokens() || !(max instanceof Number m) || m.longValue() < 0 || m.longValue() >= tokens.size()) {
      return tokens;
    }
    return tokens.subList(0, (int) m.longValue());
  }

  private static String chunk(JsonObject base, int index, JsonObject delta, String finish, boolean includeUsage) {
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

  // ---- Anthropic messages --------------------------------------------------------------------

  private void messages(MockExchange ex) {
    String last = lastUserText(ex.body.getJsonArray("messages", new JsonArray()));
    // "/tool <arguments>" answers with a tool_use block whose input streams as partial JSON
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour);
    List<String> tokens = bounded(all, ex, "max_tokens");
    String stop = tokens.size() < all.size() ? "max_tokens" : toolCall ? "tool_use" : "end_turn";
    int reported = ex.behaviour.reported(tokens.size());
    int inputTokens = countPromptWords(ex.body.getJsonArray("messages", new JsonArray()));
    String id = "msg_mock" + IDS.incrementAndGet();
    if (!ex.body.getBoolean("stream", false)) {
      JsonObject block = new JsonObject().put("type", "text").put("text", String.join("", tokens));
      if (toolCall) {
        block = new JsonObject().put("type", "tool_use").put("id", "toolu_mock1").put("name", "lookup")
            .put("input", toolInput(String.join("", tokens)));
      }
      json(ex.req.response(), 200, new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
          .put("model", ex.model)
          .put("content", new JsonArray().add(block))
          .put("stop_reason", stop).putNull("stop_sequence")
          .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", reported)));
      return;
    }
    new MockStream(ex, tokens.size()) {
      @Override
      void opening(StringBuilder out) {
        event(out, "message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
            .put("id", id).put("type", "message").put("role", "assistant").put("content", new JsonArray())
            .put("model", ex.model).putNull("stop_reason").putNull("stop_sequence")
            .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", 1))).encode());
        JsonObject block = toolCall
            ? new JsonObject().put("type", "tool_use").put("id", "toolu_mock1").put("name", "lookup").put("input", new JsonObject())
            : new JsonObject().put("type", "text").put("text", "");
        event(out, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
            .put("content_block", block).encode());
        event(out, "ping", "{\"type\": \"ping\"}");
      }

      @Override
      void token(StringBuilder out, int k) {
        JsonObject delta = toolCall ? new JsonObject().put("type", "input_json_delta").put("partial_json", tokens.get(k))
            : new JsonObject().put("type", "text_delta").put("text", tokens.get(k));
        event(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
            .put("delta", delta).encode());
      }

      @Override
      void closing(StringBuilder out) {
        event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(out, "message_delta", new JsonObject().put("type", "message_delta")
            .put("delta", new JsonObject().put("stop_reason", stop).putNull("stop_sequence"))
            .put("usage", new JsonObject().put("output_tokens", reported)).encode());
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
      }

      @Override
      void malformed(StringBuilder out) {
        out.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"oops\n\n");
      }
    }.start();
  }

  /** A tool call's arguments as an object: the JSON they are, or {"text": ...} when they are not JSON. */
  private static JsonObject toolInput(String arguments) {
    try {
      return new JsonObject(arguments);
    } catch (RuntimeException notJson) {
      return new JsonObject().put("text", arguments);
    }
  }

  // ---- OpenAI Responses ------------------------------------------------------------------------

  private void responses(MockExchange ex) {
    String last = lastResponsesUserText(ex.body.getValue("input"));
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour);
    List<String> tokens = bounded(all, ex, "max_output_tokens");
    boolean incomplete = tokens.size() < all.size();
    int inputTokens = Math.max(1, last == null ? 0 : MockText.countWords(last));
    int reported = ex.behaviour.reported(tokens.size());
    long n = IDS.incrementAndGet();
    String id = "resp_mock" + n;
    String itemId = (toolCall ? "fc_mock" : "msg_mock") + n;
    JsonObject usage = new JsonObject().put("input_tokens", inputTokens)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", 0)).put("output_tokens", reported)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)).put("total_tokens", inputTokens + reported);
    String text = String.join("", tokens);
    JsonObject response = new JsonObject().put("id", id).put("object", "response")
        .put("created_at", System.currentTimeMillis() / 1000).put("model", ex.model);
    if (!ex.body.getBoolean("stream", false)) {
      json(ex.req.response(), 200, finished(response, responsesItem(toolCall, itemId, text, true), incomplete, usage));
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
  private static JsonObject finished(JsonObject response, JsonObject item, boolean incomplete, JsonObject usage) {
    response.put("status", incomplete ? "incomplete" : "completed").put("output", new JsonArray().add(item)).put("usage", usage);
    if (incomplete) {
      response.put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    } else {
      response.putNull("incomplete_details");
    }
    return response;
  }

  /** A message with one output_text part, or a function call, as an output item. */
  private static JsonObject responsesItem(boolean toolCall, String itemId, String text, boolean done) {
    String status = done ? "completed" : "in_progress";
    if (toolCall) {
      return new JsonObject().put("type", "function_call").put("id", itemId).put("call_id", "call_mock1")
          .put("name", "lookup").put("arguments", text).put("status", status);
    }
    return new JsonObject().put("type", "message").put("id", itemId).put("status", status).put("role", "assistant")
        .put("content", done ? new JsonArray().add(outputText(text)) : new JsonArray());
  }

  private static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray());
  }

  /** The text of the last user item of {@code input}: a string, or a list of items like chat messages. */
  private static String lastResponsesUserText(Object input) {
    return input instanceof String s ? s : input instanceof JsonArray items ? lastUserText(items) : null;
  }

  // ---- Google Gemini ---------------------------------------------------------------------------

  private static final Set<String> GEMINI_FIELDS = Set.of("contents", "systemInstruction", "generationConfig", "tools",
      "toolConfig", "safetySettings", "cachedContent", "labels");
  private static final Set<String> GEMINI_EMBED_FIELDS = Set.of("requests");

  /** The model of a Gemini path ({@code .../models/gemini-2.0-flash:generateContent}), or null. */
  static String geminiModel(String path) {
    int at = path.lastIndexOf("/models/");
    int colon = path.lastIndexOf(':');
    return at < 0 || colon < at ? null : URLDecoder.decode(path.substring(at + 8, colon), StandardCharsets.UTF_8);
  }

  /** The method of a Gemini path ({@code generateContent}...), or null for another API. */
  static String geminiMethod(String path) {
    return geminiModel(path) == null ? null : path.substring(path.lastIndexOf(':') + 1);
  }

  private void generateContent(MockExchange ex, boolean stream) {
    JsonArray contents = ex.body.getJsonArray("contents", new JsonArray());
    String last = lastGeminiUserText(contents);
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour);
    Object max = ex.body.getJsonObject("generationConfig", new JsonObject()).getValue("maxOutputTokens");
    List<String> tokens = !ex.behaviour.ignoreMaxTokens() && max instanceof Number m && m.intValue() >= 0 && m.intValue() < all.size()
        ? all.subList(0, m.intValue()) : all;
    String finish = tokens.size() < all.size() ? "MAX_TOKENS" : "STOP";
    int prompt = 0;
    for (Object c : contents) {
      prompt += c instanceof JsonObject content ? MockText.countWords(geminiText(content)) : 0;
    }
    int promptTokens = Math.max(1, prompt);
    int reported = ex.behaviour.reported(tokens.size());
    String id = "mock-gemini-" + IDS.incrementAndGet();
    JsonObject usage = new JsonObject().put("promptTokenCount", promptTokens).put("candidatesTokenCount", reported)
        .put("totalTokenCount", promptTokens + reported);
    if (toolCall) {
      // function calls arrive whole, in one chunk, streamed or not
      JsonObject call = new JsonObject().put("functionCall", new JsonObject().put("name", "lookup")
          .put("args", toolInput(String.join("", tokens))));
      JsonObject body = geminiChunk(id, ex.model, call, finish, usage);
      if (!stream) {
        json(ex.req.response(), 200, body);
      } else if ("sse".equals(ex.req.getParam("alt"))) {
        ex.req.response().putHeader("content-type", "text/event-stream").end("data: " + body.encode() + "\r\n\r\n");
      } else {
        ex.req.response().putHeader("content-type", "application/json").end(new JsonArray().add(body).encode());
      }
      return;
    }
    if (!stream) {
      json(ex.req.response(), 200, geminiChunk(id, ex.model, new JsonObject().put("text", String.join("", tokens)), finish, usage));
      return;
    }
    if (!"sse".equals(ex.req.getParam("alt"))) {
      // without alt=sse the stream is one JSON array of the chunks
      JsonArray chunks = new JsonArray();
      for (int k = 0; k < tokens.size(); k++) {
        chunks.add(geminiChunk(id, ex.model, new JsonObject().put("text", tokens.get(k)),
            k == tokens.size() - 1 ? finish : null, k == tokens.size() - 1 ? usage : null));
      }
      ex.req.response().putHeader("content-type", "application/json").end(chunks.encode());
      return;
    }
    new MockStream(ex, tokens.size()) {
      @Override
      void opening(StringBuilder out) {}

      @Override
      void token(StringBuilder out, int k) {
        // the last text chunk carries the finish reason and the usage; there is no [DONE]
        boolean lastOne = k == tokens.size() - 1;
        out.append("data: ").append(geminiChunk(id, ex.model, new JsonObject().put("text", tokens.get(k)),
            lastOne ? finish : null, lastOne ? usage : null).encode()).append("\r\n\r\n");
      }

      @Override
      void closing(StringBuilder out) {
        if (tokens.isEmpty()) {
          out.append("data: ").append(geminiChunk(id, ex.model, new JsonObject().put("text", ""), finish, usage).encode())
              .append("\r\n\r\n");
        }
      }

      @Override
      void malformed(StringBuilder out) {
        out.append("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"oops\r\n\r\n");
      }
    }.start();
  }

  /** One GenerateContentResponse: a candidate with one part, its finish reason and the usage when given. */
  private static JsonObject geminiChunk(String id, String model, JsonObject part, String finish, JsonObject usage) {
    JsonObject candidate = new JsonObject().put("content", new JsonObject().put("parts", new JsonArray().add(part))
        .put("role", "model")).put("index", 0);
    if (finish != null) {
      candidate.put("finishReason", finish);
    }
    JsonObject chunk = new JsonObject().put("candidates", new JsonArray().add(candidate));
    if (usage != null) {
      chunk.put("usageMetadata", usage);
    }
    return chunk.put("modelVersion", model).put("responseId", id);
  }

  private void batchEmbedContents(MockExchange ex) {
    JsonArray embeddings = new JsonArray();
    for (Object r : ex.body.getJsonArray("requests", new JsonArray())) {
      String text = r instanceof JsonObject req && req.getValue("content") instanceof JsonObject c ? geminiText(c) : "";
      embeddings.add(new JsonObject().put("values", vector(text)));
    }
    json(ex.req.response(), 200, new JsonObject().put("embeddings", embeddings));
  }

  /** The text parts of a Gemini content, joined. */
  private static String geminiText(JsonObject content) {
    return partsText(content.getJsonArray("parts", new JsonArray()));
  }

  private static String lastGeminiUserText(JsonArray contents) {
    for (int i = contents.size() - 1; i >= 0; i--) {
      if (contents.getValue(i) instanceof JsonObject c && "user".equals(c.getString("role", "user"))) {
        return geminiText(c);
      }
    }
    return null;
  }

  private static JsonObject geminiError(int status, String message) {
    String code = switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401, 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      default -> "INTERNAL";
    };
    return new JsonObject().put("error", new JsonObject().put("code", status).put("message", message).put("status", code));
  }

  // ---- embeddings ----------------------------------------------------------------------------

  private void embeddings(MockExchange ex) {
    Object input = ex.body.getValue("input");
    List<?> inputs = input instanceof JsonArray arr ? arr.getList() : List.of(input == null ? "" : input);
    JsonArray data = new JsonArray();
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String text = String.valueOf(inputs.get(i));
      tokens += MockText.countWords(text);
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", vector(text)));
    }
    json(ex.req.response(), 200, new JsonObject().put("object", "list").put("data", data).put("model", ex.model)
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)));
  }

  /** An 8-dimensional vector that depends on the text only. */
  private static JsonArray vector(String text) {
    JsonArray vector = new JsonArray();
    int h = text.hashCode();
    for (int d = 0; d < 8; d++) {
      vector.add(((h >> (d * 4)) & 0xF) / 15.0);
    }
    return vector;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private record MockExchange(HttpServerRequest req, JsonObject body, String model, MockBehaviour behaviour) {}

  /**
   * Writes one streamed response at the configured pace, honouring the client's backpressure and
   * stopping when the client goes away.
   */
  private abstract class MockStream {
    final MockExchange ex;
    final int tokenCount;
    final HttpServerResponse res;
    /** The last write's outcome (a completed one before the first). */
    Future<Void> lastWrite = Future.succeededFuture();
    int next;
    boolean closed;

    MockStream(MockExchange ex, int tokenCount) {
      this.ex = ex;
      this.tokenCount = tokenCount;
      this.res = ex.req.response();
    }

    abstract void opening(StringBuilder out);

    abstract void token(StringBuilder out, int k);

    abstract void closing(StringBuilder out);

    abstract void malformed(StringBuilder out);

    void start() {
      stats.streamsStarted.incrementAndGet();
      res.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
      res.closeHandler(v -> {
        if (!closed) {
          closed = true;
          stats.streamsCancelled.incrementAndGet();
          stats.lastCancelNanos.set(System.nanoTime());
        }
      });
      StringBuilder out = new StringBuilder();
      opening(out);
      write(out);
      step();
    }

    void step() {
      if (closed) {
        return;
      }
      double rate = ex.behaviour.tokensPerSecond();
      if (rate <= 0) {
        // as fast as the reader takes it: a burst until the write queue fills, then wait for drain;
        // a burst is bounded so that the event loop gets to see a client that went away (writes to a
        // closed connection never fill the queue: an unbounded burst spun on, seconds of a blocked loop)
        int burst = 0;
        while (!closed && next < tokenCount && !res.writeQueueFull() && burst++ < MAX_BURST) {
          if (!emitOne()) {
            return;
          }
        }
        if (closed) {
          return;
        }
        if (next >= tokenCount) {
          finish();
        } else if (res.writeQueueFull()) {
          stats.writeQueueFullEvents.incrementAndGet();
          res.drainHandler(v -> step());
        } else {
          vertx.runOnContext(v -> step());
        }
        return;
      }
      if (res.writeQueueFull()) {
        stats.writeQueueFullEvents.incrementAndGet();
        res.drainHandler(v -> step());
        return;
      }
      if (next >= tokenCount) {
        finish();
        return;
      }
      if (!emitOne()) {
        return;
      }
      vertx.setTimer(Math.max(1, (long) (1000 / rate)), t -> step());
    }

    /** Emits the next token; false when the stream ended because of an injected fault. */
    boolean emitOne() {
      if (next == ex.behaviour.abortAfter()) {
        abort();
        return false;
      }
      StringBuilder out = new StringBuilder();
      if (next == ex.behaviour.malformedAfter()) {
        malformed(out);
      }
      token(out, next++);
      write(out);
      return true;
    }

    void finish() {
      if (ex.behaviour.abortAfter() >= 0 && ex.behaviour.abortAfter() <= tokenCount) {
        abort();
        return;
      }
      StringBuilder out = new StringBuilder();
      closing(out);
      closed = true;
      Buffer b = Buffer.buffer(out.toString());
      stats.bytesWritten.addAndGet(b.length());
      res.end(b);
      stats.streamsCompleted.incrementAndGet();
    }

    void write(StringBuilder out) {
      Buffer b = Buffer.buffer(out.toString());
      stats.bytesWritten.addAndGet(b.length());
      lastWrite = res.write(b);
    }

    /**
     * Cuts the connection after what was written has left: closed at once, a burst written in the
     * same turn (rate 0) could be dropped unsent, and the client would see no stream at all.
     */
    void abort() {
      closed = true;
      lastWrite.onComplete(done -> ex.req.connection().close());
    }

    void event(StringBuilder out, String type, String data) {
      if (type != null) {
        out.append("event: ").append(type).append('\n');
      }
      out.append("data: ").append(data).append("\n\n");
    }
  }

  private static String lastUserText(JsonArray messages) {
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
  private static String partsText(JsonArray parts) {
    StringBuilder text = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof JsonObject part && part.getValue("text") instanceof String t) {
        text.append(t);
      }
    }
    return text.toString();
  }

  private static int countPromptWords(JsonArray messages) {
    int n = 0;
    for (Object m : messages) {
      if (m instanceof JsonObject msg && msg.getValue("content") instanceof String s) {
        n += MockText.countWords(s);
      }
    }
    return Math.max(1, n);
  }

  private static JsonObject openAiError(String message, String type) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
        .putNull("param").put("code", type));
  }

  private static JsonObject anthropicError(String type, String message) {
    return new JsonObject().put("type", "error").put("error", new JsonObject().put("type", type).put("message", message));
  }

  private static void json(HttpServerResponse res, int status, JsonObject body) {
    if (res.closed()) {
      return;
    }
    res.setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
