package io.portcullis.limit;

import io.vertx.core.json.JsonObject;

/**
 * Token usage as providers report it, read to settle reservations: OpenAI's {@code usage}
 * ({@code prompt_tokens} + {@code completion_tokens}), Anthropic's {@code input_tokens} (in
 * {@code message_start}) and {@code output_tokens} (in {@code message_delta}, cumulative).
 */
public final class Usage {

  private long input = -1;
  private long output = -1;
  private long streamedEvents;

  /** Reads whatever usage a response body or stream event carries. */
  public void observe(JsonObject json) {
    JsonObject usage = json.getJsonObject("usage");
    if (usage == null && json.getValue("message") instanceof JsonObject message) {
      usage = message.getJsonObject("usage"); // Anthropic message_start
    }
    if (usage == null) {
      return;
    }
    long in = number(usage, "prompt_tokens", number(usage, "input_tokens", -1));
    long out = number(usage, "completion_tokens", number(usage, "output_tokens", -1));
    if (in >= 0) {
      input = in;
    }
    if (out >= 0) {
      output = out;
    }
  }

  /** Prompt tokens as reported, or -1. */
  public long input() {
    return input;
  }

  /** Completion tokens as reported, or -1. */
  public long output() {
    return output;
  }

  /** An event that carried text reached the client (counted when no usage ever comes). */
  public void streamed() {
    streamedEvents++;
  }

  /** Completion tokens so far: as reported (Anthropic reports them as it goes), else one per text event. */
  public long outputSoFar() {
    return Math.max(output, streamedEvents);
  }

  private static long number(JsonObject o, String field, long fallback) {
    return o.getValue(field) instanceof Number n ? n.longValue() : fallback;
  }

  /** The input tokens to charge: as reported; without a report, the prompt as counted before the call. */
  public long inputOr(long countedPrompt) {
    return input >= 0 ? input : countedPrompt;
  }

  /**
   * The output tokens to charge: as reported; without a report (a stream that died), one per text
   * event that reached the client.
   */
  public long outputOrStreamed() {
    return output >= 0 ? output : streamedEvents;
  }
}
