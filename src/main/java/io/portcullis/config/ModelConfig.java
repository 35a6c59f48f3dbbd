package io.portcullis.config;

import java.util.List;

/**
 * A model name clients use, the targets that serve it (tried in order), and the endpoints it is
 * offered on: a chat model is not an embeddings model, and a request for it on the wrong endpoint
 * is refused before any provider is called.
 *
 * @param endpoints names from {@link EndpointNames}: {@code chat_completions}, {@code responses}, {@code messages},
 *     {@code embeddings}
 */
public record ModelConfig(String name, List<TargetConfig> targets, List<String> endpoints) {

  /** A model's endpoints when its config names none: the chat endpoints. */
  public static final List<String> CHAT = List.of(EndpointNames.CHAT_COMPLETIONS, EndpointNames.RESPONSES, EndpointNames.MESSAGES);
  /** The endpoints that serve models (not the model list). */
  public static final List<String> MODEL_ENDPOINTS = List.of(EndpointNames.CHAT_COMPLETIONS, EndpointNames.RESPONSES,
      EndpointNames.MESSAGES, EndpointNames.EMBEDDINGS);

  public ModelConfig {
    targets = List.copyOf(targets);
    endpoints = List.copyOf(endpoints);
  }
}
