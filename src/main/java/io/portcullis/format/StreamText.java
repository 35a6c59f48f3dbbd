package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import java.util.function.Consumer;

/**
 * One stream's text in a format's event grammar: finds the text each event carries, passes it
 * through the channel's {@link TextFilter}, and puts what comes out back into the event (or into
 * an event of its own, for text released when a channel ends).
 */
public interface StreamText {

  /**
   * One event: what goes on is emitted (the event as it was, rewritten, or preceded by flushed
   * text). Returns false for an event the format does not know, which must not pass.
   */
  boolean onEvent(SseEvent event, Consumer<SseEvent> emit);

  /** The stream ended: releases every channel's held text. */
  void onEnd(Consumer<SseEvent> emit);
}
