package io.portcullis.forward;

import io.portcullis.format.WireFormat;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseChain;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEventParser;
import io.portcullis.sse.SseWriter;
import io.vertx.core.buffer.Buffer;

/**
 * The event path of one streamed response: upstream bytes are parsed into events, each event goes
 * through the exchange's {@link ResponseChain}, and what comes out is serialised for the client. It
 * does no I/O itself; {@link UpstreamCall} moves the bytes and applies backpressure, and ends the
 * stream when the chain says so ({@link #cut}).
 */
final class SseRelay {

  private final Exchange exchange;
  private final WireFormat format;
  private final ResponseChain chain;
  private final SseEventParser parser;
  private Buffer pending = Buffer.buffer(512);
  private boolean parserEnded;

  /** @param onResume runs when a link that waited goes on: {@link #drain} has its output */
  SseRelay(Exchange exchange, int maxEventBytes, Runnable onResume) {
    this.exchange = exchange;
    this.format = exchange.format();
    this.chain = exchange.response();
    this.parser = new SseEventParser(maxEventBytes, chain::onEvent);
    chain.open(this::write, onResume);
  }

  /** Whether a link waits (for the limiter): upstream must pause. */
  boolean holding() {
    return chain.holding();
  }

  /** Whether a link ended the stream as complete (its closing events are out). */
  boolean finished() {
    return chain.finished();
  }

  /** Whether the end of upstream has gone through every link (not deferred by a waiting link). */
  boolean ended() {
    return chain.ended();
  }

  /** Why the stream must end now (a link cut it or failed), or null. */
  GatewayError cut() {
    return chain.cut();
  }

  /** The class of what a link threw (for the log), or null. */
  String failure() {
    return chain.failure();
  }

  /** Bytes for the client produced by this chunk (possibly empty), or null when an event exceeded the size limit. */
  Buffer onChunk(Buffer chunk) {
    if (!parser.feed(chunk.getBytes())) {
      return null;
    }
    return drain();
  }

  /** Upstream ended normally: flush what the links still hold (deferred while a link waits). */
  Buffer onEnd() {
    endParser();
    chain.onEnd();
    return drain();
  }

  /** The stream ends early: flush the links, then the format's error event (no [DONE] follows). */
  Buffer onError(GatewayError error) {
    endParser();
    chain.endNow();
    SseWriter.appendTo(pending, format.errorEvent(error.status(), error.kind().type(), error.code(), error.message()));
    return drain();
  }

  private void endParser() {
    if (!parserEnded) {
      parserEnded = true;
      parser.end(); // a last event without its blank line still counts
    }
  }

  private void write(SseEvent event) {
    if (event.hasData() && !event.isDone()) {
      exchange.timings().token(exchange.startNanos(), System.nanoTime());
    }
    SseWriter.appendTo(pending, event);
  }

  /** What the links emitted since the last call, serialised for the client. */
  Buffer drain() {
    if (pending.length() == 0) {
      return Buffer.buffer(0);
    }
    Buffer out = pending;
    pending = Buffer.buffer(512);
    return out;
  }
}
