package io.portcullis.forward;

import io.portcullis.config.ProviderConfig;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.vertx.core.MultiMap;

/** OpenAI and every API compatible with it (Azure OpenAI, vLLM, Ollama, LM Studio...). */
public final class OpenAiProvider implements Provider {

  private final ProviderConfig config;
  private final Credentials credentials;

  OpenAiProvider(ProviderConfig config) {
    this.config = config;
    this.credentials = new Credentials(config);
  }

  @Override
  public ProviderConfig config() {
    return config;
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    credentials.apply(upstream);
  }

  @Override
  public SseEvent errorEvent(GatewayError error) {
    // OpenAI SDKs raise an APIError when a data event carries an "error" object.
    return SseEvent.ofData(error.toJson().encode());
  }
}
