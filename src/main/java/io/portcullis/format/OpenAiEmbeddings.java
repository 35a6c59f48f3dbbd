package io.portcullis.format;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.ProviderType;
import io.portcullis.sse.SseEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/** OpenAI's Embeddings ({@code /v1/embeddings}): no stream, no completion, input texts or token ids. */
public final class OpenAiEmbeddings implements WireFormat {

  static final Set<String> FIELDS = Set.of("model", "input", "encoding_format", "dimensions", "user");

  OpenAiEmbeddings() {}

  @Override
  public ProviderType spokenBy() {
    return ProviderType.OPENAI;
  }

  @Override
  public String upstreamPath() {
    return "/embeddings";
  }

  @Override
  public String operation() {
    return "embeddings";
  }

  @Override
  public boolean streams() {
    return false;
  }

  @Override
  public String missingInput(JsonObject body) {
    return body.getValue("input") != null ? null : "'input' is required";
  }

  @Override
  public Set<String> fields() {
    return FIELDS;
  }

  @Override
  public Violation validate(JsonObject body, GuardConfig.Validation rules, List<String> screened) {
    Object input = body.getValue("input");
    if (input instanceof String s) {
      return s.length() > rules.maxMessageChars()
          ? new Violation("input_too_long", "input", "longer than " + rules.maxMessageChars() + " characters") : null;
    }
    if (!(input instanceof JsonArray items) || items.isEmpty()) {
      return new Violation("invalid_input", "input", "must be a string or a non-empty array");
    }
    if (items.size() > rules.maxInputs()) {
      return new Violation("too_many_inputs", "input", "more than " + rules.maxInputs() + " inputs");
    }
    long total = 0;
    for (int i = 0; i < items.size(); i++) {
      Object item = items.getValue(i);
      if (item instanceof String s) {
        if (s.length() > rules.maxMessageChars()) {
          return new Violation("input_too_long", "input[" + i + "]", "longer than " + rules.maxMessageChars() + " characters");
        }
        total += s.length();
      } else if (!(item instanceof Number) && !(item instanceof JsonArray tokens && tokens.stream().allMatch(t -> t instanceof Number))) {
        return new Violation("invalid_input", "input[" + i + "]", "must be a string, a token id or an array of token ids");
      }
      if (total > rules.maxTotalChars()) {
        return new Violation("request_too_long", "input", "more than " + rules.maxTotalChars() + " characters in all");
      }
    }
    return null;
  }

  /** Texts are counted; inputs given as token ids count one per id. */
  @Override
  public long promptTokens(JsonObject body, ToIntFunction<String> counter) {
    Object input = body.getValue("input");
    if (input instanceof String s) {
      return counter.applyAsInt(s);
    }
    long n = 0;
    if (input instanceof JsonArray list) {
      for (Object item : list) {
        n += item instanceof String s ? counter.applyAsInt(s) : item instanceof JsonArray ids ? ids.size() : 0;
      }
    }
    return n;
  }

  @Override
  public long maxCompletionTokens(JsonObject body, long fallback) {
    return 0;
  }

  @Override
  public boolean askForStreamUsage(JsonObject body) {
    return false;
  }

  /** The first input, when it is text. */
  @Override
  public String lastUserText(JsonObject body) {
    Object input = body.getValue("input");
    if (input instanceof JsonArray a && !a.isEmpty()) {
      input = a.getValue(0);
    }
    return input instanceof String s ? s : null;
  }

  @Override
  public void putHeaders(MultiMap upstream, MultiMap client) {
    // the credential is the provider's; the format defines no caller headers
  }

  @Override
  public ReportedUsage usage(JsonObject json) {
    return OpenAiChat.usageOf(json);
  }

  @Override
  public boolean isUsageOnly(JsonObject event) {
    return false;
  }

  /** Vectors, not text. */
  @Override
  public String answerText(JsonObject response) {
    return null;
  }

  /** Embeddings never stream; a stream of them is not a grammar the gateway knows, so nothing passes. */
  /** Embeddings do not stream. */
  @Override
  public List<SseEvent> lengthStop(JsonObject body, boolean usageUnasked, SseEvent last, long input, long output) {
    return List.of();
  }

  @Override
  public StreamText streamText(TextFilter.Factory filters) {
    return new StreamText() {
      @Override
      public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
        return !event.hasData();
      }

      @Override
      public void onEnd(Consumer<SseEvent> emit) {}
    };
  }

  @Override
  public SseEvent errorEvent(int status, String type, String code, String message) {
    return SseEvent.ofData(errorBody(status, type, code, message).encode());
  }

  @Override
  public JsonObject errorBody(int status, String type, String code, String message) {
    return OpenAiChat.openAiError(type, code, message);
  }
}
