package io.portcullis.ingress;

/**
 * The token usage of one exchange as its provider reports it (each wire format reads its own
 * fields, see {@code WireFormat#usage}), and what the gateway saw itself: the text events streamed
 * and, where the limit stage counts them, the completion tokens those events carried. Read to
 * settle reservations, for metrics and the access log.
 *
 * <p>A report may be false: a provider (or a proxy before it) that says it sent fewer completion
 * tokens than the gateway counted beyond the tokenizers' {@linkplain #tolerance tolerance} is
 * charged what was counted.
 */
public final class Usage {

  private long input = -1;
  private long output = -1;
  private long streamedEvents;
  private long countedOutput = -1;
  private long cachedInput = -1;
  private boolean cachedInInput = true;

  /**
   * How far two tokenizers may disagree on {@code tokens} tokens of text: 4 tokens, or a tenth of
   * them when that is more. The max_tokens ceiling and the under-report check allow this much.
   */
  public static long tolerance(long tokens) {
    return Math.max(4, tokens / 10);
  }

  /** What the provider reported in a body or an event (each -1 when that part was not in it). */
  public void reported(long in, long out) {
    if (in >= 0) {
      input = in;
    }
    if (out >= 0) {
      output = out;
    }
  }

  /** Prompt tokens the provider read from its cache, as reported (-1 when it said nothing of a cache). */
  public void cached(long tokens, boolean countedInInput) {
    if (tokens >= 0) {
      cachedInput = tokens;
      cachedInInput = countedInInput;
    }
  }

  /** Prompt tokens read from the provider's cache, or -1. */
  public long cachedInput() {
    return cachedInput;
  }

  /** Whether {@link #input} counts the cached tokens too (OpenAI, Gemini) or not (Anthropic). */
  public boolean cachedInInput() {
    return cachedInInput;
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

  /** Completion tokens the gateway counted in streamed text (added as they pass). */
  public void counted(long tokens) {
    countedOutput = Math.max(0, countedOutput) + tokens;
  }

  /** Completion tokens counted in the stream's text, or -1 when nobody counted them. */
  public long countedOutput() {
    return countedOutput;
  }

  /**
   * Completion tokens so far: as reported (Anthropic reports them as it goes) or as counted,
   * whichever is more; without a count, one per text event.
   */
  public long outputSoFar() {
    return Math.max(output, countedOutput >= 0 ? countedOutput : streamedEvents);
  }

  /** Whether the provider reported fewer completion tokens than were counted, beyond the tolerance. */
  public boolean underReported() {
    return output >= 0 && countedOutput >= 0 && output + tolerance(countedOutput) < countedOutput;
  }

  /** The input tokens to charge: as reported; without a report, the prompt as counted before the call. */
  public long inputOr(long countedPrompt) {
    return input >= 0 ? input : countedPrompt;
  }

  /**
   * The output tokens to charge: as reported, unless the report is below what was counted beyond
   * the tolerance (then the count); without a report (a stream that died), the count, else one per
   * text event that reached the client.
   */
  public long outputToCharge() {
    if (output >= 0) {
      return underReported() ? countedOutput : output;
    }
    return countedOutput >= 0 ? countedOutput : streamedEvents;
  }
}
