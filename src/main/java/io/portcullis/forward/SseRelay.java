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
  private boolean hookFailed;
  private boolean budgetExhausted;
  private String hookFailure;

  SseRelay(Exchange exchange, Provider provider, int maxEventBytes) {
    this.exchange = exchange;
    this.provider = provider;
    this.hook = exchange.hook();
    this.parser = new SseEventParser(maxEventBytes, this::onEvent);
  }

  /**
   * A hook that throws has failed on text it was meant to check, so nothing more goes through it
   * or around it: the stream is cut (fail closed), never passed on unfiltered.
   */
  private void onEvent(SseEvent event) {
    if (hookFailed || budgetExhausted) {
      return;
    }
    io.portcullis.limit.Reservation reservation = exchange.reservation();
    if (event.hasData() && !event.isDone()) {
      if (tapUsage(exchange.usage(), reservation != null && reservation.stripUsage(), event)) {
        return; // the usage chunk the gateway asked for and the client did not
      }
      if (reservation != null && reservation.overBudget()) {
        budgetExhausted = true; // the caller's token budget is spent: nothing more goes out
        return;
      }
    }
    try {
      hook.onEvent(event, emit);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /** Reads usage for settlement; returns true when the event is to be dropped. */
  private static boolean tapUsage(io.portcullis.limit.Usage usage, boolean strip, SseEvent event) {
    // looked for in the wire bytes: most events carry no usage and need not be decoded here
    if (!carriesUsage(event.wireBytes())) {
      usage.streamed();
      return false;
    }
    String data = event.data();
    io.vertx.core.json.JsonObject json;
    try {
      json = new io.vertx.core.json.JsonObject(data);
    } catch (RuntimeException e) {
      return false; // the hook decides what an unparsable event does
    }
    usage.observe(json);
    return strip && json.getValue("choices") instanceof io.vertx.core.json.JsonArray choices
        && choices.isEmpty() && json.getValue("usage") instanceof io.vertx.core.json.JsonObject;
  }

  /**
   * Whether the event reports usage ({@code "usage": {...}}, or Anthropic's {@code message_start} and
   * {@code message_delta}): only those are parsed here. OpenAI puts {@code "usage":null} in every
   * chunk of a stream that asked for usage, which must not cost a parse.
   */
  static boolean carriesUsage(byte[] wire) {
    outer:
    for (int at = 0; at + USAGE.length <= wire.length; at++) {
      for (int k = 0; k < USAGE.length; k++) {
        if (wire[at + k] != USAGE[k]) {
          continue outer;
        }
      }
      int k = at + USAGE.length;
      while (k < wire.length && (wire[k] == ' ' || wire[k] == ':')) {
        k++;
      }
      if (k < wire.length && wire[k] == '{') {
        return true;
      }
    }
    return false;
  }

  private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);


  private void endHook() {
    if (!hookFailed) {
      try {
        hook.onEnd(emit);
      } catch (RuntimeException e) {
        failed(e);
      }
    }
  }

  private void failed(RuntimeException e) {
    hookFailed = true;
    hookFailure = e.getClass().getName(); // never the message: it may quote the text
  }

  /** The class of what the hook threw (for the log), or null. */
  String hookFailure() {
    return hookFailure;
  }

  /** The stream ran past the caller's token budget: the caller must end it with an error. */
  boolean budgetExhausted() {
    return budgetExhausted;
  }

  /** The hook threw: the caller must end the stream with an error. */
  boolean hookFailed() {
    return hookFailed;
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
    endHook();
    return drain();
  }

  /** Upstream failed mid-stream: flush the hook, then the error event (no [DONE] follows). */
  Buffer onError(GatewayError error) {
    parser.end();
    endHook();
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
