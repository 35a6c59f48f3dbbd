package io.portcullis.format;

import io.portcullis.config.ProviderType;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Google Gemini's {@code generateContent} ({@code streamGenerateContent?alt=sse} for streams): the
 * model in the path, the key in {@code x-goog-api-key}, usage in {@code usageMetadata}. No client
 * speaks it; chat completions are translated to it ({@link ChatOverGemini}).
 */
public final class GeminiGenerate implements UpstreamFormat {

  private static final byte[] USAGE = "\"usageMetadata\"".getBytes(StandardCharsets.US_ASCII);

  GeminiGenerate() {}

  @Override
  public ProviderType spokenBy() {
    return ProviderType.GEMINI;
  }

  @Override
  public String upstreamPath() {
    return "/models/{model}:generateContent";
  }

  /** Server-sent events only with {@code alt=sse}; without it the stream is one JSON array. */
  @Override
  public String streamPath() {
    return "/models/{model}:streamGenerateContent?alt=sse";
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    // the credential (x-goog-api-key) is the provider's; the format defines no caller headers
  }

  /** The model is in the path: the body has no field for it (Google's APIs refuse unknown fields). */
  @Override
  public void setModel(JsonObject body, String model) {
    // nothing to set
  }

  /** {@code usageMetadata}: the prompt, and the candidates' tokens with the model's thinking (billed as output). */
  @Override
  public ReportedUsage usage(JsonObject json) {
    if (!(json.getValue("usageMetadata") instanceof JsonObject u)) {
      return null;
    }
    long output = Texts.number(u, "candidatesTokenCount");
    long thoughts = Texts.number(u, "thoughtsTokenCount");
    return new ReportedUsage(Texts.number(u, "promptTokenCount"), output < 0 && thoughts < 0 ? -1 : Math.max(0, output) + Math.max(0, thoughts),
        Texts.number(u, "cachedContentTokenCount"), true);
  }

  @Override
  public String usageMember() {
    return "usageMetadata";
  }

  @Override
  public boolean isUsageOnly(JsonObject event) {
    return false;
  }

  @Override
  public String answerText(JsonObject response) {
    if (response.getValue("candidates") instanceof JsonArray candidates && !candidates.isEmpty()
        && candidates.getValue(0) instanceof JsonObject c && c.getValue("content") instanceof JsonObject content) {
      return Texts.text(content.getValue("parts"));
    }
    return null;
  }

  @Override
  public boolean mayCarryUsage(byte[] wire) {
    return Texts.mayCarryUsage(wire, USAGE);
  }
}
