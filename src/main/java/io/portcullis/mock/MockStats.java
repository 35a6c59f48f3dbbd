package io.portcullis.mock;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the mock saw, shared by all its instances: tests read it to check what reached the
 * upstream (headers, cancellations, bytes) rather than trusting the gateway's word.
 */
public final class MockStats {

  /** One request as the mock received it. */
  public record Seen(String method, String path, MultiMap headers, String body) {}

  public final AtomicLong requests = new AtomicLong();
  public final AtomicLong streamsStarted = new AtomicLong();
  public final AtomicLong streamsCompleted = new AtomicLong();
  public final AtomicLong streamsCancelled = new AtomicLong();
  public final AtomicLong bytesWritten = new AtomicLong();
  public final AtomicLong writeQueueFullEvents = new AtomicLong();
  /** System.nanoTime() when the last stream was cut by its client (0 = never). */
  public final AtomicLong lastCancelNanos = new AtomicLong();

  private final ConcurrentLinkedDeque<Seen> seen = new ConcurrentLinkedDeque<>();

  void record(Seen request) {
    seen.addLast(request);
    while (seen.size() > 200) {
      seen.pollFirst();
    }
  }

  public Seen last() {
    return seen.peekLast();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public void clear() {
    seen.clear();
  }
}
