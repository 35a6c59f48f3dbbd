package io.portcullis.config;

/** The wire format a provider speaks. */
public enum ProviderType {
  /** OpenAI's API and everything compatible with it: Azure OpenAI, vLLM, Ollama, LM Studio... */
  OPENAI,
  /** Anthropic's Messages API. */
  ANTHROPIC
}
