package io.portcullis.limit;

import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.sse.SseEvent;

/**
 * The budget link of a stream: once the completion has run past what the caller may still spend
 * ({@link Reservation#overBudget}), the next text event is not sent and the stream ends with
 * {@code token_budget_exhausted}. It sits after the usage link, which counts the events and reads
 * the reported usage first.
 */
final class BudgetCut implements ResponseFilter {

  static final GatewayError EXHAUSTED = GatewayError.of(ErrorKind.RATE_LIMITED, "token_budget_exhausted",
      "the response ran past your remaining token budget and was cut");

  private final Reservation reservation;

  BudgetCut(Reservation reservation) {
    this.reservation = reservation;
  }

  @Override
  public void onEvent(SseEvent event, EventSink next) {
    if (event.hasData() && !event.isDone() && reservation.overBudget()) {
      next.cut(EXHAUSTED);
      return;
    }
    next.emit(event);
  }
}
