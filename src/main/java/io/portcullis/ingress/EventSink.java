package io.portcullis.ingress;

import io.portcullis.sse.SseEvent;

/** Where a {@link ResponseFilter} sends the events it lets through, or says that the stream must end. */
public interface EventSink {

  /** Passes an event on to the next filter (the last one writes it to the client). */
  void emit(SseEvent event);

  /**
   * Ends the stream with the format's error event: nothing more from upstream goes out. What the
   * filters still hold is flushed first ({@link ResponseFilter#onEnd}).
   */
  void cut(GatewayError error);
}
