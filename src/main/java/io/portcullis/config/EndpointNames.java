package io.portcullis.config;

import java.util.List;

/**
 * The names by which config speaks of the gateway's endpoints (a role's {@code endpoints}, CORS
 * {@code routes}), declared once: the endpoints themselves take their names from here.
 */
public final class EndpointNames {

  public static final String CHAT_COMPLETIONS = "chat_completions";
  public static final String EMBEDDINGS = "embeddings";
  public static final String MESSAGES = "messages";
  public static final String RESPONSES = "responses";
  /** {@code GET /v1/models}, which is not a model endpoint but is named in roles and CORS. */
  public static final String MODELS = "models";

  /** Every name, in the order the docs list them. */
  public static final List<String> ALL = List.of(CHAT_COMPLETIONS, RESPONSES, EMBEDDINGS, MESSAGES, MODELS);

  private EndpointNames() {}
}
