package io.portcullis.mock;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes one streamed response at the configured pace, honouring the client's backpressure and
 * stopping when the client goes away.
 */
abstract class MockStream {

  /** Tokens written in one turn of the event loop at rate 0 before it yields. */
  private static final int MAX_BURST = 256;

  final MockExchange ex;
  final int tokenCount;
  final HttpServerResponse res;
  /** The last write's outcome (a completed one before the first). */
  Future<Void> lastWrite = Future.succeededFuture();
  int next;
  boolean closed;

  MockStream(MockExchange ex, int tokenCount) {
    this.ex = ex;
    this.tokenCount = tokenCount;
    this.res = ex.req().response();
  }

  abstract void opening(StringBuilder out);

  abstract void token(StringBuilder out, int k);

  abstract void closing(StringBuilder out);

  abstract void malformed(StringBuilder out);

  void start() {
    ex.stats().streamsStarted.incrementAndGet();
    res.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    res.closeHandler(v -> {
      if (!closed) {
        closed = true;
        ex.stats().streamsCancelled.incrementAndGet();
        ex.stats().lastCancelNanos.set(System.nanoTime());
      }
    });
    StringBuilder out = new StringBuilder();
    opening(out);
    write(out);
    step();
  }

  void step() {
    if (closed) {
      return;
    }
    double rate = ex.behaviour().tokensPerSecond();
    if (rate <= 0) {
      // as fast as the reader takes it: a burst until the write queue fills, then wait for drain;
      // a burst is bounded so that the event loop gets to see a client that went away (writes to a
      // closed connection never fill the queue: an unbounded burst spun on, seconds of a blocked loop)
      int burst = 0;
      while (!closed && next < tokenCount && !res.writeQueueFull() && burst++ < MAX_BURST) {
        if (!emitOne()) {
          return;
        }
      }
      if (closed) {
        return;
      }
      if (next >= tokenCount) {
        finish();
      } else if (res.writeQueueFull()) {
        ex.stats().writeQueueFullEvents.incrementAndGet();
        res.drainHandler(v -> step());
      } else {
        ex.vertx().runOnContext(v -> step());
      }
      return;
    }
    if (res.writeQueueFull()) {
      ex.stats().writeQueueFullEvents.incrementAndGet();
      res.drainHandler(v -> step());
      return;
    }
    if (next >= tokenCount) {
      finish();
      return;
    }
    if (!emitOne()) {
      return;
    }
    ex.vertx().setTimer(Math.max(1, (long) (1000 / rate)), t -> step());
  }

  /** Emits the next token; false when the stream ended because of an injected fault. */
  boolean emitOne() {
    if (next == ex.behaviour().abortAfter()) {
      abort();
      return false;
    }
    StringBuilder out = new StringBuilder();
    if (next == ex.behaviour().malformedAfter()) {
      malformed(out);
    }
    token(out, next++);
    write(out);
    return true;
  }

  void finish() {
    if (ex.behaviour().abortAfter() >= 0 && ex.behaviour().abortAfter() <= tokenCount) {
      abort();
      return;
    }
    StringBuilder out = new StringBuilder();
    closing(out);
    closed = true;
    Buffer b = Buffer.buffer(out.toString());
    ex.stats().bytesWritten.addAndGet(b.length());
    res.end(b);
    ex.stats().streamsCompleted.incrementAndGet();
  }

  void write(StringBuilder out) {
    Buffer b = Buffer.buffer(out.toString());
    ex.stats().bytesWritten.addAndGet(b.length());
    lastWrite = res.write(b);
  }

  /**
   * Cuts the connection after what was written has left: closed at once, a burst written in the
   * same turn (rate 0) could be dropped unsent, and the client would see no stream at all.
   */
  void abort() {
    closed = true;
    lastWrite.onComplete(done -> ex.req().connection().close());
  }

  void event(StringBuilder out, String type, String data) {
    if (type != null) {
      out.append("event: ").append(type).append('\n');
    }
    out.append("data: ").append(data).append("\n\n");
  }
}
