package io.portcullis.format;

import io.portcullis.config.ProviderType;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/**
 * A format a provider is asked in: where its requests go, the headers it defines, where a request
 * names the model, and how its answers report usage and text. Every client format is one (relayed
 * as it is to a provider that speaks it); a provider's own format that no client speaks (Gemini's)
 * is only this, reached through a {@link Translation}.
 */
public sealed interface UpstreamFormat permits WireFormat, GeminiGenerate, GeminiEmbed {

  UpstreamFormat GEMINI_GENERATE = new GeminiGenerate();
  UpstreamFormat GEMINI_EMBED = new GeminiEmbed();

  /** The providers that speak it. */
  ProviderType spokenBy();

  /** The path appended to a provider's base URL; a {@code {model}} in it is the upstream model. */
  String upstreamPath();

  /** The path for a streamed request (the same unless the format streams elsewhere). */
  default String streamPath() {
    return upstreamPath();
  }

  /** Sets the headers the format defines for callers (e.g. the API version), beside the provider's credential. */
  void putHeaders(MultiMap upstream, MultiMap client);

  /** Names the upstream model in a request about to go out (a copy per attempt; the model is in the body or the path). */
  default void setModel(JsonObject body, String model) {
    body.put("model", model);
  }

  /** The usage a response body or a stream event reports, or null when it reports none. */
  ReportedUsage usage(JsonObject json);

  /** The top-level member of a whole answer that holds its usage (read without decoding the rest). */
  default String usageMember() {
    return "usage";
  }

  /** Whether an event is only the usage report the gateway asked for (dropped when the client did not ask). */
  boolean isUsageOnly(JsonObject event);

  /** The text of a whole answer, for the access log; or null. */
  String answerText(JsonObject response);

  /**
   * Whether an event's bytes may hold a usage report: only those are decoded for it. OpenAI puts
   * {@code "usage":null} in every chunk of a stream that asked for usage, which must not cost a parse.
   */
  default boolean mayCarryUsage(byte[] wire) {
    return Texts.mayCarryUsage(wire, Texts.USAGE);
  }
}
