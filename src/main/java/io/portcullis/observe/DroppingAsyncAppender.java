package io.portcullis.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logback's async appender (configured never to block: an event loop only enqueues), counting the
 * events it drops when its queue is full, so a lossy log shows on {@code /metrics}
 * ({@code portcullis_log_events_dropped_total}) instead of going unnoticed. The count is taken
 * when the queue has no room at the moment of the call (the appender drops exactly then).
 */
public final class DroppingAsyncAppender extends AsyncAppender {

  private static final AtomicLong DROPPED = new AtomicLong();

  /** Events dropped by every such appender of the process since it started. */
  public static long dropped() {
    return DROPPED.get();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (isNeverBlock() && getRemainingCapacity() == 0) {
      DROPPED.incrementAndGet();
    }
    super.append(event);
  }
}
