package io.portcullis.forward;

import io.portcullis.config.ProviderConfig;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Anthropic's Messages API. */
public final class AnthropicProvider implements Provider {

  static final String DEFAULT_VERSION = "2023-06-01";

  private final ProviderConfig config;
  private final Credentials credentials;

  AnthropicProvider(ProviderConfig config) {
    this.config = config;
    this.credentials = new Credentials(config);
  }

  @Override
  public ProviderConfig config() {
    return config;
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    // The API version and beta flags are the caller's choice of wire format, not credentials.
    upstream.set("anthropic-version", client.get("anthropic-version") != null
        ? client.get("anthropic-version") : DEFAULT_VERSION);
    if (client.get("anthropic-beta") != null) {
      upstream.set("anthropic-beta", client.get("anthropic-beta"));
    }
    credentials.apply(upstream);
  }

  @Override
  public SseEvent errorEvent(GatewayError error) {
    // Anthropic streams report failures as an "error" event; its SDKs raise on it.
    JsonObject body = new JsonObject().put("type", "error").put("error", new JsonObject()
        .put("type", error.kind().type()).put("message", error.message()));
    return new SseEvent(List.of(new SseField("event", "error"), SseField.data(body.encode())));
  }
}
