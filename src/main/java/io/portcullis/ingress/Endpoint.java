package io.portcullis.ingress;

import io.portcullis.config.EndpointNames;
import io.portcullis.format.WireFormat;

/** The model endpoints the gateway serves, each spoken by one wire format. */
public enum Endpoint {
  CHAT_COMPLETIONS(EndpointNames.CHAT_COMPLETIONS, "/v1/chat/completions", WireFormat.OPENAI_CHAT),
  RESPONSES(EndpointNames.RESPONSES, "/v1/responses", WireFormat.OPENAI_RESPONSES),
  EMBEDDINGS(EndpointNames.EMBEDDINGS, "/v1/embeddings", WireFormat.OPENAI_EMBEDDINGS),
  MESSAGES(EndpointNames.MESSAGES, "/v1/messages", WireFormat.ANTHROPIC_MESSAGES);

  private final String configName;
  private final String path;
  private final WireFormat format;

  Endpoint(String configName, String path, WireFormat format) {
    this.configName = configName;
    this.path = path;
    this.format = format;
  }

  /** The endpoint config calls {@code name}; the name was validated with the config. */
  public static Endpoint named(String name) {
    for (Endpoint e : values()) {
      if (e.configName.equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException("no endpoint named " + name);
  }

  /** The name config uses for it (roles, CORS routes), from {@link EndpointNames}. */
  public String configName() {
    return configName;
  }

  /** The path clients call on the gateway. */
  public String path() {
    return path;
  }

  /** The wire format of its requests and responses. */
  public WireFormat format() {
    return format;
  }

  /** The path appended to a provider's base URL. */
  public String upstreamPath() {
    return format.upstreamPath();
  }

  /** Whether the endpoint accepts {@code "stream": true}. */
  public boolean streams() {
    return format.streams();
  }
}
