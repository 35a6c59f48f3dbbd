package io.portcullis.config;

import java.util.Locale;

/** The family of APIs a provider speaks (each of its endpoints has one wire format). */
public enum ProviderType {
  /** OpenAI's API and everything compatible with it: Azure OpenAI, vLLM, Ollama, LM Studio... */
  OPENAI("authorization"),
  /** Anthropic's Messages API. */
  ANTHROPIC("x-api-key"),
  /** Google's Gemini API (generateContent, batchEmbedContents). */
  GEMINI("x-goog-api-key");

  private final String label = name().toLowerCase(Locale.ROOT);
  private final String authHeader;

  ProviderType(String authHeader) {
    this.authHeader = authHeader;
  }

  /** The header its APIs take the key in, unless a provider's config says otherwise. */
  public String defaultAuthHeader() {
    return authHeader;
  }

  /** Whether the type's API has embeddings (a model offered on embeddings may only name such providers). */
  public boolean servesEmbeddings() {
    return this != ANTHROPIC;
  }

  /** Whether a provider of this type may serve OpenAI's Responses API itself ({@code responses_api}). */
  public boolean mayServeResponsesApi() {
    return this == OPENAI;
  }

  /** The word in config and in metrics ({@code gen_ai.provider.name}). */
  public String label() {
    return label;
  }
}
