package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import java.util.function.Consumer;

/**
 * One stream's events said again in the client's format, as they arrive (no buffering beyond the
 * event at hand): each provider event becomes zero or more client events.
 */
public interface EventTranslator {

  /** One provider event; false when it is not an event of the provider's format (refused, not passed). */
  boolean onEvent(SseEvent event, Consumer<SseEvent> emit);

  /** The provider's stream ended normally: the closing events the client's format still needs. */
  void onEnd(Consumer<SseEvent> emit);
}
