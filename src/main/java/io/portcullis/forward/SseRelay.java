package io.portcullis.forward;

import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEventHook;
import io.portcullis.sse.SseEventParser;
import io.portcullis.sse.SseWriter;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * The event path of one streamed response: upstream bytes are parsed into events, each event goes
 * through the exchange's hook, and what the hook emits is serialised for the client. It does no
 * I/O itself; {@link UpstreamCall} moves the bytes and applies backpressure.
 */
final class SseRelay {

  private final Exchange exchange;
  private final Provider provider;
  private final SseEventHook hook;
  private final SseEventParser parser;
  private Buffer pending = Buffer.buffer(512);
  private final Consumer<SseEvent> emit = this::write;

  SseRelay(Exchange exchange, Provider provider, int maxEventBytes) {
    this.exchange = exchange;
    this.provider = provider;
    this.hook = exchange.hook();
    this.parser = new SseEventParser(maxEventBytes, event -> hook.onEvent(event, emit));
  }

  /** Bytes for the client produced by this chunk (possibly empty), or null when an event exceeded the size limit. */
  Buffer onChunk(Buffer chunk) {
    if (!parser.feed(chunk.getBytes())) {
      return null;
    }
    return drain();
  }

  /** Upstream ended normally: flush what the hook still holds. */
  Buffer onEnd() {
    parser.end();
    hook.onEnd(emit);
    return drain();
  }

  /** Upstream failed mid-stream: flush the hook, then the error event (no [DONE] follows). */
  Buffer onError(GatewayError error) {
    parser.end();
    hook.onEnd(emit);
    SseWriter.appendTo(pending, provider.errorEvent(error));
    return drain();
  }

  private void write(SseEvent event) {
    if (event.hasData() && !event.isDone()) {
      exchange.timings().token(exchange.startNanos(), System.nanoTime());
    }
    SseWriter.appendTo(pending, event);
  }

  private Buffer drain() {
    if (pending.length() == 0) {
      return Buffer.buffer(0);
    }
    Buffer out = pending;
    pending = Buffer.buffer(512);
    return out;
  }
}
