package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * OpenAI embeddings served by Gemini's {@code batchEmbedContents}: one request per input text
 * ({@code dimensions} as {@code outputDimensionality}), the vectors back in OpenAI's list, as floats
 * or as base64 (little-endian float32, what OpenAI's SDKs ask for by default). Token-id inputs
 * cannot be sent. Gemini reports no usage: the answer says 0 and the gateway charges its own count.
 */
final class EmbeddingsOverGemini implements Translation {

  @Override
  public WireFormat client() {
    return WireFormat.OPENAI_EMBEDDINGS;
  }

  @Override
  public UpstreamFormat provider() {
    return UpstreamFormat.GEMINI_EMBED;
  }

  @Override
  public JsonObject request(JsonObject body) {
    Object input = body.getValue("input");
    JsonArray texts = input instanceof String s ? new JsonArray().add(s) : (JsonArray) input;
    JsonArray requests = new JsonArray();
    for (int i = 0; i < texts.size(); i++) {
      if (!(texts.getValue(i) instanceof String text)) {
        throw new Untranslatable("input[" + i + "]", "Gemini providers embed text, not token ids");
      }
      JsonObject request = new JsonObject().put("content", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text))));
      if (body.getValue("dimensions") != null) {
        request.put("outputDimensionality", body.getValue("dimensions"));
      }
      requests.add(request);
    }
    String encoding = body.getString("encoding_format", "float");
    if (!encoding.equals("float") && !encoding.equals("base64")) {
      throw new Untranslatable("encoding_format", "must be float or base64");
    }
    return new JsonObject().put("requests", requests);
  }

  @Override
  public JsonObject response(JsonObject answer, JsonObject request) {
    boolean base64 = "base64".equals(request.getValue("encoding_format"));
    JsonArray data = new JsonArray();
    JsonArray embeddings = answer.getJsonArray("embeddings", new JsonArray());
    for (int i = 0; i < embeddings.size(); i++) {
      JsonArray values = embeddings.getJsonObject(i).getJsonArray("values", new JsonArray());
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", base64 ? base64(values) : values));
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", request.getValue("model"))
        .put("usage", new JsonObject().put("prompt_tokens", 0).put("total_tokens", 0));
  }

  private static String base64(JsonArray values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (Object v : values) {
      bytes.putFloat(((Number) v).floatValue());
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /** Embeddings do not stream. */
  @Override
  public EventTranslator stream(JsonObject request, boolean usageUnasked) {
    return new EventTranslator() {
      @Override
      public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
        return false;
      }

      @Override
      public void onEnd(Consumer<SseEvent> emit) {}
    };
  }
}
