package io.portcullis.ingress;

import io.portcullis.sse.SseEvent;

/**
 * One link of the response side: sees every event of a streamed response, or the whole body of a
 * non-streamed one, on its way to the client. A filter is made per exchange and owns its state
 * (text held back, counters); it is installed in its {@link ResponseFilter.Order} place by the stage
 * that owns it, and {@link ResponseChain} runs the links in that order.
 *
 * <p>A filter that throws has failed on output it was meant to check: the chain cuts the stream
 * (or withholds the body) instead of passing anything on unfiltered.
 */
public interface ResponseFilter {

  /** The places of the chain, in the order events pass them. */
  enum Order {
    /** Reads the usage the provider reports (for settlement, metrics and the access log), in the provider's format. */
    USAGE,
    /** Says the provider's answer again in the client's format, when they differ; every later link sees the client's. */
    TRANSLATE,
    /** Ends a stream that runs past the caller's token budget. */
    BUDGET,
    /** Redacts secrets and PII from the text. */
    SCRUB
  }

  /** One event of a stream: pass it (or what replaces it, or nothing yet) on, or cut the stream. */
  default void onEvent(SseEvent event, EventSink next) {
    next.emit(event);
  }

  /** The upstream stream ended, normally or not: emit whatever is still held. */
  default void onEnd(EventSink next) {}

  /** A whole (non-streamed) response body, whatever its status: read it, or change it in place. */
  default void onBody(ResponseBody body) {}

  /** Whether {@link #onBody} reads the decoded tree ({@link ResponseBody#json}): then links before it read from it too. */
  default boolean readsTree() {
    return false;
  }
}
