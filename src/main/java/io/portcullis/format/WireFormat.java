package io.portcullis.format;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.ProviderType;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Everything the gateway knows about one API format, in one place: the request's shape (its main
 * input, the fields it defines, validation, the text whose tokens count, its completion bound),
 * usage in bodies and streams, the answer's text, the stream's event grammar (which fields carry
 * text, how held text is flushed, which events exist at all) and its error event. Nothing outside a
 * format branches on which format it is: a new format is a new implementation, and the compiler
 * points at every place that must decide.
 */
public sealed interface WireFormat extends UpstreamFormat permits OpenAiChat, OpenAiResponses, OpenAiEmbeddings, AnthropicMessages {

  WireFormat OPENAI_CHAT = new OpenAiChat();
  WireFormat OPENAI_RESPONSES = new OpenAiResponses();
  WireFormat OPENAI_EMBEDDINGS = new OpenAiEmbeddings();
  WireFormat ANTHROPIC_MESSAGES = new AnthropicMessages();


  /**
   * The format a provider of {@code type} is asked in when a client speaks this one: this format
   * when the provider speaks it, else one a {@link Translation} leads to; null when that provider
   * cannot serve it.
   *
   * @param servesResponses the provider serves the Responses API itself (not every OpenAI-compatible server does)
   */
  default UpstreamFormat askedIn(ProviderType type, boolean servesResponses) {
    return Translations.askedIn(this, type, servesResponses);
  }


  /** The OpenTelemetry GenAI operation name ({@code chat}, {@code embeddings}). */
  String operation();

  /** Whether a request may ask for {@code "stream": true}. */
  boolean streams();

  // ---- the request -----------------------------------------------------------------------------

  /** Why the body lacks its main input (messages, input), or null when it has it. */
  String missingInput(JsonObject body);

  /** The top-level fields the format defines (others are unknown to the gateway). */
  Set<String> fields();

  /**
   * Checks the body's shape and the caller's bounds; the first violation, or null. Texts the
   * injection screen reads (user and tool messages) are added to {@code screened} on the way.
   */
  Violation validate(JsonObject body, GuardConfig.Validation rules, List<String> screened);

  /** The prompt's tokens: every text the request sends to the model, counted with {@code counter}. */
  long promptTokens(JsonObject body, ToIntFunction<String> counter);

  /** The completion tokens the request may use: its own bound (times its choices), else {@code fallback}. */
  long maxCompletionTokens(JsonObject body, long fallback);

  /**
   * Makes a streamed request report its usage when the format has to be asked for it; true when
   * the body was changed (the client did not ask, so that report is not passed on to it).
   */
  boolean askForStreamUsage(JsonObject body);

  /** The last user message (or an embeddings request's first input), for the access log; or null. */
  String lastUserText(JsonObject body);


  // ---- the response ----------------------------------------------------------------------------




  /**
   * The stream's text, one {@link TextFilter} per text channel (a choice, a tool call, a content
   * block): a new rewriter per stream. It knows every event of the format; one it does not know
   * is refused, never passed through with its text unseen.
   */
  StreamText streamText(TextFilter.Factory filters);

  /**
   * An error response's body in the format's shape, which its SDKs parse.
   *
   * @param status the HTTP status, from which a format with its own error types derives the type
   * @param type the OpenAI error type
   * @param code the gateway's machine-readable code
   */
  JsonObject errorBody(int status, String type, String code, String message);

  /**
   * The closing events of a stream the gateway ends because its completion reached the request's
   * own bound ({@code max_tokens}): what the provider would have sent had it kept to the bound (the
   * format's "length" stop, the usage where the format or the client wants it, the end marker).
   *
   * @param body the request, as sent upstream
   * @param usageUnasked the gateway asked for the usage report and the client did not (none is sent)
   * @param last the last data event that went out, whose ids are copied; or null
   */
  List<SseEvent> lengthStop(JsonObject body, boolean usageUnasked, SseEvent last, long input, long output);

  /** The last event of a stream that failed after it started, in the format's error shape. */
  SseEvent errorEvent(int status, String type, String code, String message);
}
