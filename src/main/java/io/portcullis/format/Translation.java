package io.portcullis.format;

import io.vertx.core.json.JsonObject;

/**
 * A client's wire format served by a provider that speaks another: a pair of formats. The request
 * is said again in the provider's format (or refused with {@link Untranslatable} where it asks for
 * what that format cannot express); the provider's answer, whole or streamed, its usage and its
 * errors are said again in the client's format. Everything the response chain does (usage, budget,
 * redaction) then runs on the client's format, as if the provider had spoken it.
 *
 * <p>Pairs are direct ({@link ChatOverAnthropic}, {@link MessagesOverChat}...) or chained through
 * chat completions ({@link #chain}): a format that can be served over chat and chat served over a
 * provider's format make a pair between the two.
 */
public interface Translation {

  /** The format the client speaks (the endpoint's). */
  WireFormat client();

  /** The format the provider is asked in. */
  UpstreamFormat provider();

  /** The request in the provider's format (a new object; {@code body} is not changed). */
  JsonObject request(JsonObject body);

  /** A whole successful answer in the client's format. */
  JsonObject response(JsonObject answer, JsonObject request);

  /**
   * A stream's events, translated one for one as they arrive: a new translator per stream.
   *
   * @param usageUnasked the client did not ask for a usage report its format only sends when asked
   *     (chat's {@code stream_options.include_usage}): none is made up for it
   */
  EventTranslator stream(JsonObject request, boolean usageUnasked);

  /** A provider's error body (any status) in the client's error shape, its message kept. */
  default JsonObject error(int status, JsonObject body) {
    return client().errorBody(status, Bridge.openAiType(status), "upstream_error", Bridge.errorMessage(body, status));
  }

  /** The pair for a client format and a provider format: null when they are the same format. */
  static Translation between(WireFormat client, UpstreamFormat provider) {
    return Translations.between(client, provider);
  }

  /** {@code first} (client to chat) followed by {@code second} (chat to the provider). */
  static Translation chain(Translation first, Translation second) {
    return new ChainedTranslation(first, second);
  }
}
