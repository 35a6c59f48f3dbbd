package io.portcullis.forward;

import io.portcullis.config.ProviderConfig;
import io.portcullis.format.UpstreamFormat;
import io.portcullis.ingress.Endpoint;
import io.vertx.core.MultiMap;

/**
 * An upstream LLM API: its config, its credentials (several keys, used in turn) and the wire
 * formats it speaks, which its type decides. What differs between formats (headers a caller may
 * set, error events) is the format's; what differs between providers is their config.
 */
public final class Provider {

  private final ProviderConfig config;
  private final Credentials credentials;

  Provider(ProviderConfig config) {
    this.config = config;
    this.credentials = new Credentials(config);
  }

  public ProviderConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  /** Whether this provider serves the endpoint (it speaks the endpoint's wire format, or one it translates to). */
  public boolean serves(Endpoint endpoint) {
    return askedIn(endpoint) != null;
  }

  /** The format this provider is asked in for an endpoint's requests; null when it cannot serve them. */
  public UpstreamFormat askedIn(Endpoint endpoint) {
    return endpoint.format().askedIn(config.type(), config.servesResponses());
  }

  /** The absolute upstream URL for an endpoint, an upstream model, streamed or not. */
  String url(Endpoint endpoint, String upstreamModel, boolean stream) {
    UpstreamFormat format = askedIn(endpoint);
    return UpstreamUrls.build(config.baseUrl(), stream ? format.streamPath() : format.upstreamPath(), upstreamModel,
        config.queryParams());
  }

  /**
   * Sets the upstream request headers: the few client headers the wire format defines for callers
   * (e.g. {@code anthropic-version}), then the provider's own credential (never the client's).
   */
  void putHeaders(UpstreamFormat format, MultiMap upstream, MultiMap client) {
    format.putHeaders(upstream, client);
    credentials.apply(upstream);
  }
}
