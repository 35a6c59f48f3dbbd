package io.portcullis.ingress;

import io.portcullis.sse.SseEvent;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The response side of one exchange: the installed {@link ResponseFilter}s, run in their declared
 * {@link ResponseFilter.Order}. Events go through every link, then to the client; a whole body goes
 * through every link's {@link ResponseFilter#onBody}. A link that cuts the stream, or throws, stops
 * everything after it: what is still held is flushed, then the stream ends with an error. A link
 * that finishes it ends it as complete.
 *
 * <p>A link may wait ({@link EventSink#hold}): events for it queue here, the owner of the stream
 * pauses upstream while {@link #holding}, an end that comes meanwhile is deferred, and when the
 * hold is released the queued events go on and the owner is told ({@code onResume}) to write what
 * came out and look at the stream's state again.
 */
public final class ResponseChain {

  /** A link threw: the output could not be checked, so it stops here (fail closed). */
  public static final GatewayError FILTER_FAILED = GatewayError.upstream("response_filter_failed",
      "the gateway could not check the model's output");

  private static final ResponseFilter.Order[] ORDER = ResponseFilter.Order.values();

  private final ResponseFilter[] filters = new ResponseFilter[ORDER.length];
  private Link first;
  private Consumer<SseEvent> out;
  private Runnable onResume;
  private GatewayError cut;
  private String failure;
  private boolean ended;
  private boolean finished;
  /** The link that waits, its hold, and the events that arrived for it meanwhile. */
  private Link heldLink;
  private HoldImpl hold;
  private final ArrayDeque<SseEvent> waiting = new ArrayDeque<>();
  private boolean endDeferred;

  /** Puts a filter in its place; one per place. */
  public void install(ResponseFilter.Order place, ResponseFilter filter) {
    if (first != null) {
      throw new IllegalStateException("the response has started: filters are installed before it");
    }
    if (filters[place.ordinal()] != null) {
      throw new IllegalStateException("a response filter is already installed at " + place);
    }
    filters[place.ordinal()] = filter;
  }

  /** Starts a stream: what passes every link goes to {@code out}. */
  public void open(Consumer<SseEvent> out) {
    open(out, () -> { });
  }

  /**
   * Starts a stream: what passes every link goes to {@code out}; {@code onResume} runs when a hold
   * is released (what the links emitted then is in {@code out}; the stream may have been cut,
   * finished or ended meanwhile).
   */
  public void open(Consumer<SseEvent> out, Runnable onResume) {
    this.out = out;
    this.onResume = onResume;
    Link next = null;
    for (int i = filters.length - 1; i >= 0; i--) {
      if (filters[i] != null) {
        next = new Link(filters[i], next);
      }
    }
    first = next == null ? new Link(null, null) : next;
  }

  /** One event from upstream; ignored once the stream was cut or finished. */
  public void onEvent(SseEvent event) {
    if (cut != null || ended || finished) {
      return;
    }
    first.deliver(event);
  }

  /**
   * Upstream ended: every link flushes what it holds, in order. Once only. While a link waits, this
   * is deferred until it is released ({@link #ended} says when it has run).
   */
  public void onEnd() {
    if (ended) {
      return;
    }
    ended = true;
    if (heldLink != null) {
      endDeferred = true;
      return;
    }
    flushAll();
  }

  /** The stream ends now, whatever waits (upstream failed, or the stream is being cut): what waited is dropped. */
  public void endNow() {
    if (heldLink != null) {
      heldLink = null;
      hold = null;
      waiting.clear();
      endDeferred = false;
    } else if (ended) {
      return;
    }
    ended = true;
    flushAll();
  }

  /** Whether a link waits (upstream should be paused). */
  public boolean holding() {
    return heldLink != null;
  }

  /** Whether the links have flushed after the end (not while an end is deferred). */
  public boolean ended() {
    return ended && !endDeferred;
  }

  /** Whether a link ended the stream as complete. */
  public boolean finished() {
    return finished && cut == null;
  }

  private void release(HoldImpl h) {
    if (hold != h) {
      return; // a stale hold: the stream ended meanwhile
    }
    Link link = heldLink;
    heldLink = null;
    hold = null;
    while (!waiting.isEmpty() && heldLink == null && cut == null && !finished && failure == null) {
      link.deliver(waiting.poll());
    }
    if (heldLink != null) {
      return; // waits again: the rest stays queued
    }
    waiting.clear();
    if (endDeferred) {
      endDeferred = false;
      flushAll();
    }
    onResume.run();
  }

  private final class HoldImpl implements EventSink.Hold {
    @Override
    public void release() {
      ResponseChain.this.release(this);
    }
  }

  private void flushAll() {
    if (failure != null) {
      return; // a link that failed is not asked again: what it held is lost, never sent unchecked
    }
    for (Link link = first; link != null; link = link.next) {
      if (link.filter != null) {
        try {
          link.filter.onEnd(link);
        } catch (RuntimeException e) {
          failed(e);
          return;
        }
      }
    }
  }

  /** Runs a whole body through every link; a link that throws fails it (the caller withholds the body). */
  public void onBody(ResponseBody body) {
    for (ResponseFilter f : filters) {
      if (f != null && f.readsTree()) {
        body.wantTree(); // one decode for all: no link parses the bytes on its own first
      }
    }
    for (ResponseFilter f : filters) {
      if (f != null) {
        f.onBody(body);
      }
    }
  }

  /** Why the stream must end early: a link cut it or failed; null while it may go on. */
  public GatewayError cut() {
    return cut;
  }

  /** The class of what a link threw (never its message: it may quote the text), or null. */
  public String failure() {
    return failure;
  }

  private void failed(RuntimeException e) {
    failure = e.getClass().getName();
    if (cut == null) {
      cut = FILTER_FAILED;
    }
  }

  /** One filter and the sink that hands its output to the next link (or to the client). */
  private final class Link implements EventSink {

    final ResponseFilter filter;
    final Link next;

    Link(ResponseFilter filter, Link next) {
      this.filter = filter;
      this.next = next;
    }

    void deliver(SseEvent event) {
      if (heldLink == this) {
        waiting.add(event);
        return;
      }
      if (filter == null) {
        out.accept(event);
        return;
      }
      try {
        filter.onEvent(event, this);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    /** What {@link #filter} lets through goes to the next link, or to the client after the last. */
    @Override
    public void emit(SseEvent event) {
      if (failure != null) {
        return;
      }
      if (next == null) {
        out.accept(event);
      } else {
        next.deliver(event);
      }
    }

    @Override
    public void cut(GatewayError error) {
      if (cut == null) {
        cut = error;
      }
    }

    @Override
    public void finish() {
      finished = true;
    }

    @Override
    public Hold hold() {
      if (heldLink != null) {
        throw new IllegalStateException("a link already waits");
      }
      heldLink = this;
      hold = new HoldImpl();
      return hold;
    }
  }
}
