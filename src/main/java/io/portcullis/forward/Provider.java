package io.portcullis.forward;

import io.portcullis.config.ProviderConfig;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.vertx.core.MultiMap;

/** An upstream LLM API in one wire format. */
public sealed interface Provider permits OpenAiProvider, AnthropicProvider {

  ProviderConfig config();

  default String name() {
    return config().name();
  }

  /** Whether this provider serves the endpoint (it speaks the endpoint's wire format). */
  default boolean serves(Endpoint endpoint) {
    return endpoint.format() == config().type();
  }

  /** The absolute upstream URL for an endpoint and upstream model. */
  default String url(Endpoint endpoint, String upstreamModel) {
    return UpstreamUrls.build(config().baseUrl(), endpoint.upstreamPath(), upstreamModel, config().queryParams());
  }

  /**
   * Sets the upstream request headers: the provider's own credential (never the client's) and
   * the few client headers that the wire format defines for callers (e.g. {@code anthropic-beta}).
   */
  void putHeaders(MultiMap upstream, MultiMap client);

  /** The last event of a stream that failed after it started, in this format's error shape. */
  SseEvent errorEvent(GatewayError error);
}
