package io.portcullis.mock;

import io.portcullis.config.MockConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A real HTTP server speaking OpenAI chat completions / responses / embeddings / models, Anthropic Messages
 * and Google Gemini ({@code models/{model}:generateContent}, {@code :streamGenerateContent} with
 * {@code alt=sse} or as a JSON array, {@code :batchEmbedContents}), streaming and not, with a token
 * pace and injectable faults ({@link MockBehaviour}).
 * It is the offline upstream of the default config, of the tests and of the benchmarks.
 */
public final class MockProviderVerticle extends VerticleBase {

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
        MockReplies.json(req.response(), 200, new JsonObject().put("object", "list").put("data", new JsonArray()
            .add(new JsonObject().put("id", "mock-model").put("object", "model").put("owned_by", "mock"))));
        return;
      }
      JsonObject json;
      try {
        json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (DecodeException e) {
        MockReplies.json(req.response(), 400, MockReplies.openAiError("invalid JSON body", "invalid_request_error"));
        return;
      }
      // Gemini names the model and the method in the path: /v1beta/models/{model}:{method}
      String inPath = GeminiReplies.geminiModel(path);
      String model = inPath != null ? inPath : json.getString("model", "mock-model");
      MockBehaviour behaviour = MockBehaviour.defaults(config).with(model);
      MockExchange exchange = new MockExchange(vertx, stats, req, json, MockBehaviour.baseModel(model), behaviour);
      if (behaviour.firstByteDelayMs() > 0) {
        vertx.setTimer(behaviour.firstByteDelayMs(), t -> route(exchange));
      } else {
        route(exchange);
      }
    });
  }

  private void route(MockExchange ex) {
    String path = ex.req().path();
    boolean anthropic = path.endsWith("/messages");
    String gemini = GeminiReplies.geminiMethod(path);
    if (ex.behaviour().status() != 200) {
      HttpServerResponse res = ex.req().response();
      if (ex.behaviour().status() == 429) {
        res.putHeader("retry-after", String.valueOf(ex.behaviour().retryAfterSeconds()));
      }
      String type = ex.behaviour().status() == 429 ? "rate_limit_error" : ex.behaviour().status() == 401 ? "invalid_api_key" : "server_error";
      String message = "mock fault " + ex.behaviour().status();
      if (ex.behaviour().status() == 401) {
        // as real providers do: the refused key quoted back (what a gateway must never log)
        String auth = ex.req().getHeader("authorization");
        String key = auth != null ? auth.replaceFirst("(?i)^bearer\\s+", "") : ex.req().getHeader("x-api-key");
        message = "Incorrect API key provided: " + key + ". You can find your API key in your account settings.";
      }
      if (gemini != null && ex.behaviour().status() == 401) {
        message = "API key not valid: " + ex.req().getHeader("x-goog-api-key") + ". Please pass a valid API key.";
      }
      MockReplies.json(res, ex.behaviour().status(), anthropic ? MockReplies.anthropicError(type, message)
          : gemini != null ? GeminiReplies.geminiError(ex.behaviour().status(), message) : MockReplies.openAiError(message, type));
      return;
    }
    if (gemini != null) {
      // as Google's APIs do: a field the method does not define is refused, not ignored
      Set<String> known = gemini.equals("batchEmbedContents") ? GeminiReplies.EMBED_FIELDS : GeminiReplies.FIELDS;
      for (String field : ex.body().fieldNames()) {
        if (!known.contains(field)) {
          MockReplies.json(ex.req().response(), 400, GeminiReplies.geminiError(400, "Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field."));
          return;
        }
      }
      switch (gemini) {
        case "generateContent", "streamGenerateContent" -> GeminiReplies.generateContent(ex, gemini.startsWith("stream"));
        case "batchEmbedContents" -> GeminiReplies.batchEmbedContents(ex);
        default -> MockReplies.json(ex.req().response(), 404, GeminiReplies.geminiError(404, "no such method " + gemini));
      }
      return;
    }
    if (path.endsWith("/chat/completions")) {
      OpenAiReplies.chat(ex);
    } else if (path.endsWith("/responses")) {
      OpenAiReplies.responses(ex);
    } else if (path.endsWith("/embeddings")) {
      OpenAiReplies.embeddings(ex);
    } else if (anthropic) {
      AnthropicReplies.messages(ex);
    } else {
      MockReplies.json(ex.req().response(), 404, MockReplies.openAiError("no such path " + path, "invalid_request_error"));
    }
  }
}
