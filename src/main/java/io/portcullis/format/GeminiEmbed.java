package io.portcullis.format;

import io.portcullis.config.ProviderType;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Google Gemini's {@code batchEmbedContents}: one request per input, each naming its model
 * ({@code models/...}). It reports no usage: the gateway's own count of the input is charged.
 */
public final class GeminiEmbed implements UpstreamFormat {

  GeminiEmbed() {}

  @Override
  public ProviderType spokenBy() {
    return ProviderType.GEMINI;
  }

  @Override
  public String upstreamPath() {
    return "/models/{model}:batchEmbedContents";
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    // the credential is the provider's
  }

  /** Each request of the batch names the model; the requests are new objects (the body is a shallow copy). */
  @Override
  public void setModel(JsonObject body, String model) {
    JsonArray requests = new JsonArray();
    for (Object r : body.getJsonArray("requests", new JsonArray())) {
      requests.add(((JsonObject) r).copy().put("model", "models/" + model));
    }
    body.put("requests", requests);
  }

  @Override
  public ReportedUsage usage(JsonObject json) {
    return null;
  }

  @Override
  public boolean isUsageOnly(JsonObject event) {
    return false;
  }

  @Override
  public String answerText(JsonObject response) {
    return null;
  }
}
