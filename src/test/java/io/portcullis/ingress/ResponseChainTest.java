package io.portcullis.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The response side's links run in their declared order, whatever order they were installed in, and fail closed. */
class ResponseChainTest {

  /** Appends its tag to each event's data; holds the last event until the end when asked to. */
  static ResponseFilter tagging(String tag, boolean holdLast) {
    return new ResponseFilter() {
      SseEvent held;

      @Override
      public void onEvent(SseEvent event, EventSink next) {
        SseEvent tagged = event.withData(event.data() + tag);
        if (holdLast) {
          if (held != null) {
            next.emit(held);
          }
          held = tagged;
        } else {
          next.emit(tagged);
        }
      }

      @Override
      public void onEnd(EventSink next) {
        if (held != null) {
          next.emit(held);
          held = null;
        }
      }
    };
  }

  static List<String> data(List<SseEvent> events) {
    return events.stream().map(SseEvent::data).toList();
  }

  @Test
  void linksRunInTheirDeclaredOrderNotTheOrderOfInstallation() {
    ResponseChain chain = new ResponseChain();
    chain.install(ResponseFilter.Order.SCRUB, tagging("-scrub", false));
    chain.install(ResponseFilter.Order.USAGE, tagging("-usage", false));
    chain.install(ResponseFilter.Order.BUDGET, tagging("-budget", true));
    List<SseEvent> out = new ArrayList<>();
    chain.open(out::add);
    chain.onEvent(SseEvent.ofData("a"));
    chain.onEvent(SseEvent.ofData("b"));
    assertThat(data(out)).containsExactly("a-usage-budget-scrub");
    chain.onEnd();
    chain.onEnd(); // once only
    assertThat(data(out)).containsExactly("a-usage-budget-scrub", "b-usage-budget-scrub");
    assertThat(chain.cut()).isNull();
  }

  @Test
  void aCutStopsWhatFollowsButWhatIsHeldIsFlushed() {
    ResponseChain chain = new ResponseChain();
    GatewayError spent = GatewayError.of(ErrorKind.RATE_LIMITED, "spent", "spent");
    chain.install(ResponseFilter.Order.BUDGET, new ResponseFilter() {
      int seen;

      @Override
      public void onEvent(SseEvent event, EventSink next) {
        if (++seen == 3) {
          next.cut(spent);
          return;
        }
        next.emit(event);
      }
    });
    chain.install(ResponseFilter.Order.SCRUB, tagging("", true));
    List<SseEvent> out = new ArrayList<>();
    chain.open(out::add);
    for (String s : List.of("1", "2", "3", "4")) {
      chain.onEvent(SseEvent.ofData(s));
    }
    assertThat(chain.cut()).isSameAs(spent);
    assertThat(data(out)).containsExactly("1");
    chain.onEnd();
    assertThat(data(out)).containsExactly("1", "2");
  }

  @Test
  void aLinkThatThrowsStopsEverythingAndIsNotAskedToFlush() {
    ResponseChain chain = new ResponseChain();
    chain.install(ResponseFilter.Order.USAGE, tagging("", true));
    chain.install(ResponseFilter.Order.SCRUB, new ResponseFilter() {
      @Override
      public void onEvent(SseEvent event, EventSink next) {
        if (event.data().equals("2")) {
          throw new IllegalStateException("text: secret");
        }
        next.emit(event);
      }
    });
    List<SseEvent> out = new ArrayList<>();
    chain.open(out::add);
    for (String s : List.of("1", "2", "3", "4")) {
      chain.onEvent(SseEvent.ofData(s));
    }
    chain.onEnd();
    assertThat(data(out)).containsExactly("1");
    assertThat(chain.cut()).isSameAs(ResponseChain.FILTER_FAILED);
    assertThat(chain.failure()).isEqualTo("java.lang.IllegalStateException").doesNotContain("secret");
  }

  @Test
  void onePlacePerLinkAndNoneOnceTheResponseStarted() {
    ResponseChain chain = new ResponseChain();
    chain.install(ResponseFilter.Order.SCRUB, tagging("", false));
    assertThatThrownBy(() -> chain.install(ResponseFilter.Order.SCRUB, tagging("", false)))
        .isInstanceOf(IllegalStateException.class);
    chain.open(e -> { });
    assertThatThrownBy(() -> chain.install(ResponseFilter.Order.USAGE, tagging("", false)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aWholeBodyIsDecodedOnceAndEncodedOnlyWhenChanged() {
    ResponseBody body = new ResponseBody(200, Buffer.buffer("{\"a\": 1}"));
    assertThat(body.json()).isSameAs(body.json());
    assertThat(body.bytes().toString()).isEqualTo("{\"a\": 1}"); // untouched bytes go out as they came
    ((JsonObject) body.json()).put("a", 2);
    body.changed();
    assertThat(body.bytes().toString()).isEqualTo("{\"a\":2}");
  }

  /** Holds on every event whose data is "wait" until the test releases it, then passes it on. */
  static final class Waiting implements ResponseFilter {
    EventSink.Hold hold;
    SseEvent kept;
    EventSink sink;

    @Override
    public void onEvent(SseEvent event, EventSink next) {
      sink = next;
      if (event.data().equals("wait")) {
        kept = event;
        hold = next.hold();
        return;
      }
      next.emit(event);
    }

    void go() {
      EventSink.Hold h = hold;
      hold = null;
      sink.emit(kept.withData("waited"));
      h.release();
    }
  }

  @Test
  void aLinkThatWaitsKeepsTheOrderDefersTheEndAndTellsTheOwnerWhenItGoesOn() {
    ResponseChain chain = new ResponseChain();
    Waiting waiting = new Waiting();
    chain.install(ResponseFilter.Order.BUDGET, waiting);
    chain.install(ResponseFilter.Order.SCRUB, tagging("-scrub", false));
    List<SseEvent> out = new ArrayList<>();
    int[] resumed = {0};
    chain.open(out::add, () -> resumed[0]++);
    chain.onEvent(SseEvent.ofData("a"));
    chain.onEvent(SseEvent.ofData("wait"));
    assertThat(chain.holding()).isTrue();
    chain.onEvent(SseEvent.ofData("b"));
    chain.onEvent(SseEvent.ofData("wait")); // waits again once released
    chain.onEvent(SseEvent.ofData("c"));
    chain.onEnd();
    assertThat(chain.ended()).as("the end waits for the link").isFalse();
    assertThat(data(out)).containsExactly("a-scrub");
    waiting.go();
    assertThat(chain.holding()).isTrue(); // the second "wait" came in when released
    assertThat(resumed[0]).isZero();
    assertThat(data(out)).containsExactly("a-scrub", "waited-scrub", "b-scrub");
    waiting.go();
    assertThat(chain.holding()).isFalse();
    assertThat(chain.ended()).isTrue();
    assertThat(resumed[0]).isEqualTo(1);
    assertThat(data(out)).containsExactly("a-scrub", "waited-scrub", "b-scrub", "waited-scrub", "c-scrub");
  }

  @Test
  void anEndNowDropsWhatWaitsAndALateReleaseDoesNothing() {
    ResponseChain chain = new ResponseChain();
    Waiting waiting = new Waiting();
    chain.install(ResponseFilter.Order.BUDGET, waiting);
    List<SseEvent> out = new ArrayList<>();
    int[] resumed = {0};
    chain.open(out::add, () -> resumed[0]++);
    chain.onEvent(SseEvent.ofData("wait"));
    chain.onEvent(SseEvent.ofData("b"));
    chain.endNow();
    assertThat(chain.holding()).isFalse();
    assertThat(chain.ended()).isTrue();
    EventSink.Hold stale = waiting.hold;
    stale.release();
    assertThat(resumed[0]).isZero();
    assertThat(out).isEmpty();
  }

  @Test
  void aLinkThatFinishesEndsTheStreamAsComplete() {
    ResponseChain chain = new ResponseChain();
    chain.install(ResponseFilter.Order.BUDGET, new ResponseFilter() {
      @Override
      public void onEvent(SseEvent event, EventSink next) {
        next.emit(event);
        if (event.data().equals("last")) {
          next.emit(SseEvent.ofData("closing"));
          next.finish();
        }
      }
    });
    List<SseEvent> out = new ArrayList<>();
    chain.open(out::add);
    chain.onEvent(SseEvent.ofData("a"));
    chain.onEvent(SseEvent.ofData("last"));
    chain.onEvent(SseEvent.ofData("more from upstream"));
    assertThat(chain.finished()).isTrue();
    assertThat(chain.cut()).isNull();
    assertThat(data(out)).containsExactly("a", "last", "closing");
  }
}
