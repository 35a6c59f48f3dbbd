package io.portcullis.format;

import io.portcullis.config.ProviderType;

/** Which format a provider is asked in for each client format, and the pair that translates between them. */
final class Translations {

  private static final Translation CHAT_OVER_ANTHROPIC = new ChatOverAnthropic();
  private static final Translation MESSAGES_OVER_CHAT = new MessagesOverChat();
  private static final Translation RESPONSES_OVER_CHAT = new ResponsesOverChat();
  private static final Translation RESPONSES_OVER_ANTHROPIC = Translation.chain(RESPONSES_OVER_CHAT, CHAT_OVER_ANTHROPIC);
  private static final Translation CHAT_OVER_GEMINI = new ChatOverGemini();
  private static final Translation MESSAGES_OVER_GEMINI = Translation.chain(MESSAGES_OVER_CHAT, CHAT_OVER_GEMINI);
  private static final Translation RESPONSES_OVER_GEMINI = Translation.chain(RESPONSES_OVER_CHAT, CHAT_OVER_GEMINI);
  private static final Translation EMBEDDINGS_OVER_GEMINI = new EmbeddingsOverGemini();

  private Translations() {}

  /**
   * The format a provider of {@code type} is asked in when a client speaks {@code client}: the same
   * format when the provider speaks it, else the provider's format for generating text; null when
   * the provider cannot serve it at all (embeddings from a provider without them).
   */
  static UpstreamFormat askedIn(WireFormat client, ProviderType type, boolean servesResponses) {
    if (client.spokenBy() == type && (client != WireFormat.OPENAI_RESPONSES || servesResponses)) {
      return client;
    }
    if (client == WireFormat.OPENAI_EMBEDDINGS) {
      return !type.servesEmbeddings() ? null : type == ProviderType.GEMINI ? UpstreamFormat.GEMINI_EMBED : client;
    }
    return switch (type) {
      case OPENAI -> WireFormat.OPENAI_CHAT;
      case ANTHROPIC -> WireFormat.ANTHROPIC_MESSAGES;
      case GEMINI -> UpstreamFormat.GEMINI_GENERATE;
    };
  }

  static Translation between(WireFormat client, UpstreamFormat provider) {
    if (client == provider) {
      return null;
    }
    if (client == WireFormat.OPENAI_CHAT && provider == WireFormat.ANTHROPIC_MESSAGES) {
      return CHAT_OVER_ANTHROPIC;
    }
    if (client == WireFormat.ANTHROPIC_MESSAGES && provider == WireFormat.OPENAI_CHAT) {
      return MESSAGES_OVER_CHAT;
    }
    if (client == WireFormat.OPENAI_RESPONSES && provider == WireFormat.OPENAI_CHAT) {
      return RESPONSES_OVER_CHAT;
    }
    if (client == WireFormat.OPENAI_RESPONSES && provider == WireFormat.ANTHROPIC_MESSAGES) {
      return RESPONSES_OVER_ANTHROPIC;
    }
    if (provider == UpstreamFormat.GEMINI_GENERATE) {
      if (client == WireFormat.OPENAI_CHAT) {
        return CHAT_OVER_GEMINI;
      }
      if (client == WireFormat.ANTHROPIC_MESSAGES) {
        return MESSAGES_OVER_GEMINI;
      }
      if (client == WireFormat.OPENAI_RESPONSES) {
        return RESPONSES_OVER_GEMINI;
      }
    }
    if (client == WireFormat.OPENAI_EMBEDDINGS && provider == UpstreamFormat.GEMINI_EMBED) {
      return EMBEDDINGS_OVER_GEMINI;
    }
    throw new IllegalArgumentException("no translation from " + client.getClass().getSimpleName()
        + " to " + provider.getClass().getSimpleName());
  }
}
