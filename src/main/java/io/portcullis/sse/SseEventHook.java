package io.portcullis.sse;

import java.util.function.Consumer;

/**
 * A stage that sees every event of a streamed response before it reaches the client, and may
 * rewrite, hold back or add events. Events it emits go out in the order it emits them.
 */
public interface SseEventHook {

  /** Passes every event through unchanged. */
  SseEventHook NONE = (event, emit) -> emit.accept(event);

  void onEvent(SseEvent event, Consumer<SseEvent> emit);

  /** The stream ended (normally or not): emit whatever is still held. */
  default void onEnd(Consumer<SseEvent> emit) {}
}
