package io.portcullis.ingress;

import io.portcullis.sse.SseEvent;
import java.util.function.Consumer;

/**
 * The response side of one exchange: the installed {@link ResponseFilter}s, run in their declared
 * {@link ResponseFilter.Order}. Events go through every link, then to the client; a whole body goes
 * through every link's {@link ResponseFilter#onBody}. A link that cuts the stream, or throws, stops
 * everything after it: what is still held is flushed, then the stream ends with an error.
 */
public final class ResponseChain {

  /** A link threw: the output could not be checked, so it stops here (fail closed). */
  public static final GatewayError FILTER_FAILED = GatewayError.upstream("response_filter_failed",
      "the gateway could not check the model's output");

  private static final ResponseFilter.Order[] ORDER = ResponseFilter.Order.values();

  private final ResponseFilter[] filters = new ResponseFilter[ORDER.length];
  private Link first;
  private Consumer<SseEvent> out;
  private GatewayError cut;
  private String failure;
  private boolean ended;

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
    this.out = out;
    Link next = null;
    for (int i = filters.length - 1; i >= 0; i--) {
      if (filters[i] != null) {
        next = new Link(filters[i], next);
      }
    }
    first = next == null ? new Link(null, null) : next;
  }

  /** One event from upstream; ignored once the stream was cut. */
  public void onEvent(SseEvent event) {
    if (cut != null || ended) {
      return;
    }
    first.deliver(event);
  }

  /** Upstream ended (or failed): every link flushes what it holds, in order. Once only. */
  public void onEnd() {
    if (ended) {
      return;
    }
    ended = true;
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
  }
}
