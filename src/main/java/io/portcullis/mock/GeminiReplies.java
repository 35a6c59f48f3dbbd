package io.portcullis.mock;

import static io.portcullis.mock.MockReplies.IDS;
import static io.portcullis.mock.MockReplies.json;
import static io.portcullis.mock.MockReplies.partsText;
import static io.portcullis.mock.MockReplies.toolInput;
import static io.portcullis.mock.MockReplies.vector;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The mock's Gemini answers: {@code generateContent}, {@code streamGenerateContent} (SSE with
 * {@code alt=sse}, else one JSON array) and {@code batchEmbedContents}; Gemini-style errors.
 */
final class GeminiReplies {

  /** The fields of a generateContent request and of a batchEmbedContents request (others are refused). */
  static final Set<String> FIELDS = Set.of("contents", "systemInstruction", "generationConfig", "tools",
      "toolConfig", "safetySettings", "cachedContent", "labels");
  static final Set<String> EMBED_FIELDS = Set.of("requests");

  private GeminiReplies() {}

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

  static void generateContent(MockExchange ex, boolean stream) {
    JsonArray contents = ex.body().getJsonArray("contents", new JsonArray());
    String last = lastGeminiUserText(contents);
    boolean toolCall = last != null && last.startsWith("/tool ");
    List<String> all = MockText.tokens(toolCall ? "/echo " + last.substring(6) : last, ex.behaviour());
    Object max = ex.body().getJsonObject("generationConfig", new JsonObject()).getValue("maxOutputTokens");
    List<String> tokens = !ex.behaviour().ignoreMaxTokens() && max instanceof Number m && m.intValue() >= 0 && m.intValue() < all.size()
        ? all.subList(0, m.intValue()) : all;
    String finish = tokens.size() < all.size() ? "MAX_TOKENS" : "STOP";
    int prompt = 0;
    for (Object c : contents) {
      prompt += c instanceof JsonObject content ? MockText.countWords(geminiText(content)) : 0;
    }
    int promptTokens = Math.max(1, prompt);
    int reported = ex.behaviour().reported(tokens.size());
    String id = "mock-gemini-" + IDS.incrementAndGet();
    JsonObject usage = new JsonObject().put("promptTokenCount", promptTokens).put("candidatesTokenCount", reported)
        .put("totalTokenCount", promptTokens + reported);
    if (toolCall) {
      // function calls arrive whole, in one chunk, streamed or not
      JsonObject call = new JsonObject().put("functionCall", new JsonObject().put("name", "lookup")
          .put("args", toolInput(String.join("", tokens))));
      JsonObject body = geminiChunk(id, ex.model(), call, finish, usage);
      if (!stream) {
        json(ex.req().response(), 200, body);
      } else if ("sse".equals(ex.req().getParam("alt"))) {
        ex.req().response().putHeader("content-type", "text/event-stream").end("data: " + body.encode() + "\r\n\r\n");
      } else {
        ex.req().response().putHeader("content-type", "application/json").end(new JsonArray().add(body).encode());
      }
      return;
    }
    if (!stream) {
      json(ex.req().response(), 200, geminiChunk(id, ex.model(), new JsonObject().put("text", String.join("", tokens)), finish, usage));
      return;
    }
    if (!"sse".equals(ex.req().getParam("alt"))) {
      // without alt=sse the stream is one JSON array of the chunks
      JsonArray chunks = new JsonArray();
      for (int k = 0; k < tokens.size(); k++) {
        chunks.add(geminiChunk(id, ex.model(), new JsonObject().put("text", tokens.get(k)),
            k == tokens.size() - 1 ? finish : null, k == tokens.size() - 1 ? usage : null));
      }
      ex.req().response().putHeader("content-type", "application/json").end(chunks.encode());
      return;
    }
    new MockStream(ex, tokens.size()) {
      @Override
      void opening(StringBuilder out) {}

      @Override
      void token(StringBuilder out, int k) {
        // the last text chunk carries the finish reason and the usage; there is no [DONE]
        boolean lastOne = k == tokens.size() - 1;
        out.append("data: ").append(geminiChunk(id, ex.model(), new JsonObject().put("text", tokens.get(k)),
            lastOne ? finish : null, lastOne ? usage : null).encode()).append("\r\n\r\n");
      }

      @Override
      void closing(StringBuilder out) {
        if (tokens.isEmpty()) {
          out.append("data: ").append(geminiChunk(id, ex.model(), new JsonObject().put("text", ""), finish, usage).encode())
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
  static JsonObject geminiChunk(String id, String model, JsonObject part, String finish, JsonObject usage) {
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

  static void batchEmbedContents(MockExchange ex) {
    JsonArray embeddings = new JsonArray();
    for (Object r : ex.body().getJsonArray("requests", new JsonArray())) {
      String text = r instanceof JsonObject req && req.getValue("content") instanceof JsonObject c ? geminiText(c) : "";
      embeddings.add(new JsonObject().put("values", vector(text)));
    }
    json(ex.req().response(), 200, new JsonObject().put("embeddings", embeddings));
  }

  /** The text parts of a Gemini content, joined. */
  static String geminiText(JsonObject content) {
    return partsText(content.getJsonArray("parts", new JsonArray()));
  }

  static String lastGeminiUserText(JsonArray contents) {
    for (int i = contents.size() - 1; i >= 0; i--) {
      if (contents.getValue(i) instanceof JsonObject c && "user".equals(c.getString("role", "user"))) {
        return geminiText(c);
      }
    }
    return null;
  }

  static JsonObject geminiError(int status, String message) {
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
}
