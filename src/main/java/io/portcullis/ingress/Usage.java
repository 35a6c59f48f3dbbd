package io.portcullis.ingress;

/**
 * The token usage of one exchange as its provider reports it (each wire format reads its own
 * fields, see {@code WireFormat#usage}), and the text events streamed, which count when a stream
 * ends without a report. Read to settle reservations, for metrics and the access log.
 */
public final class Usage {

  private long input = -1;
  private long output = -1;
  private long streamedEvents;

  /** What the provider reported in a body or an event (each -1 when that part was not in it). */
  public void reported(long in, long out) {
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
