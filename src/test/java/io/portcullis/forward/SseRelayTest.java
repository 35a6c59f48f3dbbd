package io.portcullis.forward;

import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.ingress.Endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEvents;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SseRelayTest {

  static final String STREAM = "event: a\nid: 1\ndata: {\"x\":1}\n\n: comment\n\ndata: two\r\ndata: lines\r\n\r\n"
      + "foo: bar\ndata: \u00e9\u65e5\uD83D\uDE00\n\ndata: [DONE]\n\n";

  /** A response filter written as a hook: what it emits goes on. */
  interface SseEventHook {
    SseEventHook NONE = (event, emit) -> emit.accept(event);

    void onEvent(SseEvent event, Consumer<SseEvent> emit);

    default void onEnd(Consumer<SseEvent> emit) {}
  }

  static io.portcullis.ingress.Exchange exchange(SseEventHook hook) {
    io.portcullis.ingress.Exchange ex = new io.portcullis.ingress.Exchange("req_test", System.nanoTime(), null, Endpoint.CHAT_COMPLETIONS);
    ex.response().install(ResponseFilter.Order.SCRUB, new ResponseFilter() {
      @Override
      public void onEvent(SseEvent event, EventSink next) {
        hook.onEvent(event, next::emit);
      }

      @Override
      public void onEnd(EventSink next) {
        hook.onEnd(next::emit);
      }
    });
    return ex;
  }

  static List<SseEvent> parse(String text) {
    return SseEvents.parse(text);
  }

  @Test
  void withoutAHookEverySplitPointRelaysTheSameEvents() throws Exception {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    List<SseEvent> expected = parse(STREAM);
    for (int cut = 0; cut <= bytes.length; cut++) {
      SseRelay relay = new SseRelay(exchange(SseEventHook.NONE), 1 << 20, () -> { });
      StringBuilder out = new StringBuilder();
      out.append(relay.onChunk(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut))));
      out.append(relay.onChunk(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, cut, bytes.length))));
      out.append(relay.onEnd());
      assertThat(parse(out.toString())).as("cut at %d", cut).isEqualTo(expected);
    }
  }

  @Test
  void withoutAHookTheBytesPassUnchanged() throws Exception {
    String crlf = "data: {\"a\":1}\r\n\r\n: note\r\n\r\nevent: x\r\ndata: y\r\n\r\n";
    for (String stream : java.util.List.of(STREAM, crlf)) {
      byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
      java.util.Random random = new java.util.Random(3);
      for (int round = 0; round < 200; round++) {
        SseRelay relay = new SseRelay(exchange(SseEventHook.NONE), 1 << 20, () -> { });
        Buffer out = Buffer.buffer();
        int i = 0;
        while (i < bytes.length) {
          int n = Math.min(bytes.length - i, 1 + random.nextInt(7));
          out.appendBuffer(relay.onChunk(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, i, i + n))));
          i += n;
        }
        out.appendBuffer(relay.onEnd());
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(stream);
      }
    }
  }

  @Test
  void aHookMayRewriteHoldAndReleaseEventsInOrder() throws Exception {
    SseEventHook holdUntilEnd = new SseEventHook() {
      final List<SseEvent> held = new ArrayList<>();

      @Override
      public void onEvent(SseEvent event, Consumer<SseEvent> emit) {
        if (event.data() != null && event.data().equals("[DONE]")) {
          held.forEach(emit);
          held.clear();
          emit.accept(event);
        } else if (event.data() != null) {
          held.add(event.withData(event.data().toUpperCase()));
        } else {
          emit.accept(event);
        }
      }

      @Override
      public void onEnd(Consumer<SseEvent> emit) {
        held.forEach(emit);
      }
    };
    SseRelay relay = new SseRelay(exchange(holdUntilEnd), 1 << 20, () -> { });
    Buffer first = relay.onChunk(Buffer.buffer("data: one\n\n: c\n\ndata: two\n\n"));
    assertThat(first.toString()).isEqualTo(": c\n\n");
    Buffer rest = relay.onChunk(Buffer.buffer("data: [DONE]\n\n"));
    assertThat(parse(rest.toString())).containsExactly(SseEvent.ofData("ONE"), SseEvent.ofData("TWO"), SseEvent.ofData("[DONE]"));
  }

  @Test
  void anErrorFlushesTheHookThenAddsTheErrorEvent() throws Exception {
    SseEventHook holdAll = new SseEventHook() {
      SseEvent held;

      @Override
      public void onEvent(SseEvent event, Consumer<SseEvent> emit) {
        held = event;
      }

      @Override
      public void onEnd(Consumer<SseEvent> emit) {
        emit.accept(held);
      }
    };
    SseRelay relay = new SseRelay(exchange(holdAll), 1 << 20, () -> { });
    assertThat(relay.onChunk(Buffer.buffer("data: partial\n\n")).length()).isZero();
    List<SseEvent> out = parse(relay.onError(GatewayError.of(ErrorKind.UPSTREAM_ERROR, "upstream_aborted", "gone")).toString());
    assertThat(out).hasSize(2);
    assertThat(out.get(0)).isEqualTo(SseEvent.ofData("partial"));
    assertThat(out.get(1).data()).contains("\"code\":\"upstream_aborted\"");
  }

  @Test
  void aHookThatThrowsStopsEverythingAfterIt() throws Exception {
    // fail closed: nothing passes once the filter has failed, not even at the end
    SseEventHook breaksOnSecond = new SseEventHook() {
      int seen;

      @Override
      public void onEvent(SseEvent event, Consumer<SseEvent> emit) {
        if (++seen == 2) {
          throw new NumberFormatException("For input string: \"secret\"");
        }
        emit.accept(event);
      }

      @Override
      public void onEnd(Consumer<SseEvent> emit) {
        emit.accept(SseEvent.ofData("held"));
      }
    };
    SseRelay relay = new SseRelay(exchange(breaksOnSecond), 1 << 20, () -> { });
    assertThat(relay.onChunk(Buffer.buffer("data: one\n\n")).toString()).isEqualTo("data: one\n\n");
    assertThat(relay.cut()).isNull();
    assertThat(relay.onChunk(Buffer.buffer("data: two\n\ndata: three\n\n")).toString()).isEmpty();
    assertThat(relay.cut()).isNotNull();
    assertThat(relay.failure()).isEqualTo("java.lang.NumberFormatException").doesNotContain("secret");
    assertThat(relay.onChunk(Buffer.buffer("data: four\n\n")).toString()).isEmpty();
    assertThat(relay.onEnd().toString()).isEmpty();
  }

  @Test
  void countsTokensForTimings() throws Exception {
    io.portcullis.ingress.Exchange ex = exchange(SseEventHook.NONE);
    SseRelay relay = new SseRelay(ex, 1 << 20, () -> { });
    relay.onChunk(Buffer.buffer("data: a\n\ndata: b\n\n: c\n\ndata: [DONE]\n\n"));
    assertThat(ex.timings().tokens()).isEqualTo(2);
    assertThat(ex.timings().timeToFirstTokenNanos()).isPositive();
  }
}
