package io.portcullis.limit;

import io.portcullis.config.LimitsConfig;
import io.portcullis.format.StreamText;
import io.portcullis.format.TextFilter;
import io.portcullis.format.WireFormat;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseBody;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.ingress.Usage;
import io.portcullis.sse.SseEvent;
import java.util.ArrayDeque;

/**
 * The budget link of a response, after the usage link. It counts the completion tokens of a stream
 * as they pass (the text of each event, with the tokenizer the reservation used) and holds the
 * stream to two bounds:
 *
 * <ul>
 *   <li><b>the request's own {@code max_tokens}</b> (with {@code limits.enforce_max_tokens}): an
 *       event that would take the count past it plus the {@linkplain Usage#tolerance tolerance} is
 *       not sent; the stream ends as the provider should have ended it (the format's "length" stop,
 *       usage, end marker) and the upstream call is cancelled. A whole answer past it is charged in
 *       full and flagged.
 *   <li><b>the caller's token limits</b>: a stream may send what its reservation holds; to send
 *       more it claims {@code limits.claim_increment} tokens at a time from the same counters
 *       ({@link Claims}). The next claim is asked for when half an increment is left, so it is
 *       usually granted before it is needed; an event that does not fit waits for it (upstream
 *       paused, later events queued in order). A refused claim ends the stream with
 *       {@code token_budget_exhausted} ({@code budget_exceeded} when a budget in money refused it);
 *       one the limiter cannot decide under a {@code closed}
 *       policy, with {@code rate_limiter_unavailable}.
 * </ul>
 *
 * So a stream never sends a token it does not hold: what the counters admit bounds what is
 * delivered, however many streams run at once.
 */
final class StreamBudget implements ResponseFilter {

  static final GatewayError EXHAUSTED = GatewayError.of(ErrorKind.RATE_LIMITED, "token_budget_exhausted",
      "the response ran past your remaining token budget and was cut");
  static final GatewayError BUDGET_SPENT = GatewayError.of(ErrorKind.RATE_LIMITED, "budget_exceeded",
      "the response ran past your remaining budget in money and was cut");
  static final GatewayError UNAVAILABLE = GatewayError.of(ErrorKind.UNAVAILABLE, "rate_limiter_unavailable",
      "the rate limiter cannot be reached and this limit does not admit tokens without it");

  private final Exchange ex;
  private final WireFormat format;
  private final Usage usage;
  private final LimitMetrics metrics;
  private final long countedPrompt;
  /** The request's own bound, and the count past which the stream is ended (no bound: never). */
  private final long bound;
  private final long ceiling;
  /** Null when no limit counts completion tokens. */
  private final Reservation reservation;
  private final Claims claims;
  private final StreamText text;
  /** Tokens of the event being counted (the counting filter adds to it). */
  private long eventTokens;
  private long counted;
  private SseEvent lastData;
  private EventSink sink;
  private EventSink.Hold hold;
  /** Events that wait for a claim, with their tokens. */
  private final ArrayDeque<SseEvent> kept = new ArrayDeque<>();
  private final ArrayDeque<Long> keptTokens = new ArrayDeque<>();
  private boolean claiming;
  private boolean prefetchRefused;
  private boolean ended;

  private StreamBudget(Exchange ex, LimitMetrics metrics, long countedPrompt, long bound, Reservation reservation, Claims claims) {
    this.ex = ex;
    this.format = ex.format();
    this.usage = ex.usage();
    this.metrics = metrics;
    this.countedPrompt = countedPrompt;
    this.bound = bound;
    this.ceiling = bound > 0 ? bound + Usage.tolerance(bound) : Long.MAX_VALUE;
    this.reservation = reservation;
    this.claims = claims;
    TextFilter counter = new TextFilter() {
      @Override
      public String feed(String piece) {
        eventTokens += TokenCounter.count(piece);
        return piece;
      }

      @Override
      public String finish() {
        return "";
      }
    };
    this.text = format.streamText(json -> counter);
  }

  /**
   * Puts the link on a response when it has something to hold: the request's own bound (enforced),
   * or, for a stream, limits that count completion tokens.
   *
   * @param reservation the admission's, or null when no policy applied
   * @param claims how the stream claims more, or null when nothing limits its completion
   */
  static void install(Exchange ex, LimitsConfig limits, LimitMetrics metrics, long countedPrompt, Reservation reservation,
      Claims claims) {
    long bound = limits.enforceMaxTokens() ? ex.format().maxCompletionTokens(ex.body(), 0) : 0;
    if (bound <= 0 && (claims == null || !ex.stream())) {
      return;
    }
    ex.response().install(Order.BUDGET, new StreamBudget(ex, metrics, countedPrompt, bound, reservation, claims));
  }

  @Override
  public void onEvent(SseEvent event, EventSink next) {
    sink = next;
    if (ended) {
      return;
    }
    if (!event.hasData() || event.isDone()) {
      next.emit(event);
      return;
    }
    eventTokens = 0;
    text.onEvent(event, ignored -> { }); // only counts: what it would emit is not used
    pass(event, eventTokens);
  }

  /** Sends an event the stream holds the tokens for; else keeps it until a claim answers. */
  private void pass(SseEvent event, long tokens) {
    if (tokens > 0 && counted + tokens > ceiling) {
      stopAtBound();
      return;
    }
    if (tokens > 0 && claims != null && counted + tokens > reservation.allowance()) {
      kept.add(event);
      keptTokens.add(tokens);
      if (hold == null) {
        hold = sink.hold();
      }
      if (!claiming) {
        claim();
      }
      return;
    }
    send(event, tokens);
    if (claims != null && !claiming && !prefetchRefused && counted < ceiling
        && reservation.allowance() - counted < claims.increment() / 2) {
      claim(); // ahead of need: usually granted before the stream gets there
    }
  }

  private void send(SseEvent event, long tokens) {
    if (tokens > 0) {
      counted += tokens;
      usage.counted(tokens);
    }
    lastData = event;
    sink.emit(event);
  }

  private void claim() {
    claiming = true;
    claims.claim().onComplete(ar -> claimed(ar.succeeded() ? ar.result() : Claims.Outcome.UNAVAILABLE));
  }

  private void claimed(Claims.Outcome outcome) {
    claiming = false;
    if (ended) {
      return;
    }
    if (outcome != Claims.Outcome.GRANTED) {
      if (kept.isEmpty()) {
        prefetchRefused = true; // the stream still holds tokens; it asks again when it needs them
        return;
      }
      ended = true;
      kept.clear();
      keptTokens.clear();
      sink.cut(switch (outcome) {
        case REFUSED -> EXHAUSTED;
        case BUDGET_SPENT -> BUDGET_SPENT;
        default -> UNAVAILABLE;
      });
      release();
      return;
    }
    prefetchRefused = false;
    while (!kept.isEmpty()) {
      long tokens = keptTokens.peek();
      if (counted + tokens > ceiling) {
        kept.clear();
        keptTokens.clear();
        stopAtBound();
        break;
      }
      if (counted + tokens > reservation.allowance()) {
        claim(); // still short: the hold stays
        return;
      }
      keptTokens.poll();
      send(kept.poll(), tokens);
    }
    release();
  }

  private void release() {
    if (hold != null) {
      EventSink.Hold h = hold;
      hold = null;
      h.release(); // the events that queued meanwhile come in now, in order
    }
  }

  /** The completion reached the request's own bound: closed as the provider should have closed it. */
  private void stopAtBound() {
    ended = true;
    ex.completionFlag("cut");
    metrics.overrun(ex.model(), "cut");
    long input = usage.input() >= 0 ? usage.input() : countedPrompt;
    for (SseEvent e : format.lengthStop(ex.body(), ex.isUsageReportUnasked(), lastData, input, counted)) {
      sink.emit(e);
    }
    sink.finish();
  }

  @Override
  public void onEnd(EventSink next) {
    if (!ended && usage.underReported()) {
      ex.completionFlag("underreported");
      metrics.overrun(ex.model(), "underreported");
    }
  }

  /** A whole answer past the request's own bound: charged in full (as reported), flagged. */
  @Override
  public void onBody(ResponseBody body) {
    if (bound > 0 && body.status() / 100 == 2 && usage.output() > ceiling) {
      ex.completionFlag("charged");
      metrics.overrun(ex.model(), "charged");
    }
  }
}
