package io.portcullis.forward;

import io.portcullis.config.ProviderType;

/** The model endpoints the gateway serves, each spoken by one wire format. */
public enum Endpoint {
  CHAT_COMPLETIONS("/v1/chat/completions", "/chat/completions", ProviderType.OPENAI, true),
  EMBEDDINGS("/v1/embeddings", "/embeddings", ProviderType.OPENAI, false),
  MESSAGES("/v1/messages", "/messages", ProviderType.ANTHROPIC, true);

  private final String path;
  private final String upstreamPath;
  private final ProviderType format;
  private final boolean streams;

  Endpoint(String path, String upstreamPath, ProviderType format, boolean streams) {
    this.path = path;
    this.upstreamPath = upstreamPath;
    this.format = format;
    this.streams = streams;
  }

  /** The path clients call on the gateway. */
  public String path() {
    return path;
  }

  /** The path appended to a provider's base URL. */
  public String upstreamPath() {
    return upstreamPath;
  }

  public ProviderType format() {
    return format;
  }

  /** Whether the endpoint accepts {@code "stream": true}. */
  public boolean streams() {
    return streams;
  }
}
