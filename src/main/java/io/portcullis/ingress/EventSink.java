package io.portcullis.ingress;

import io.portcullis.sse.SseEvent;

/** Where a {@link ResponseFilter} sends the events it lets through, or says that the stream must end or wait. */
public interface EventSink {

  /** Passes an event on to the next filter (the last one writes it to the client). May be called from a callback. */
  void emit(SseEvent event);

  /**
   * Ends the stream with the format's error event: nothing more from upstream goes out. What the
   * filters still hold is flushed first ({@link ResponseFilter#onEnd}).
   */
  void cut(GatewayError error);

  /**
   * Ends the stream as complete after what this link has emitted (its own closing events
   * included): nothing more from upstream goes on, the upstream call is cancelled, and no error
   * event follows.
   */
  void finish();

  /**
   * This link must wait before it can pass more on (an answer from the limiter): until the hold is
   * released, the chain gives it no further event (they wait, in order), upstream is paused and the
   * end of the stream is deferred. At most one hold at a time.
   */
  Hold hold();

  /** A link's wait; {@link #release} hands it the events that arrived meanwhile and lets the stream go on. */
  interface Hold {
    void release();
  }
}
