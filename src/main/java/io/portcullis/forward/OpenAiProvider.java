package io.portcullis.forward;

import io.portcullis.config.ProviderConfig;
import io.portcullis.config.Secret;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.vertx.core.MultiMap;

/** OpenAI and every API compatible with it (Azure OpenAI, vLLM, Ollama, LM Studio...). */
public final class OpenAiProvider implements Provider {

  private final ProviderConfig config;
  private final KeyRing keys;

  OpenAiProvider(ProviderConfig config) {
    this.config = config;
    this.keys = new KeyRing(config.apiKeys());
  }

  @Override
  public ProviderConfig config() {
    return config;
  }

  @Override
  public String url(Endpoint endpoint, String upstreamModel) {
    return UpstreamUrls.build(config.baseUrl(), endpoint.upstreamPath(), upstreamModel, config.queryParams());
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    config.headers().forEach(upstream::set);
    Secret key = keys.next();
    if (key != null) {
      if (config.authHeader().equals("authorization")) {
        upstream.set("authorization", "Bearer " + key.value());
      } else {
        upstream.set(config.authHeader(), key.value());
      }
    }
  }

  @Override
  public SseEvent errorEvent(GatewayError error) {
    // OpenAI SDKs raise an APIError when a data event carries an "error" object.
    return SseEvent.ofData(error.toJson().encode());
  }
}
