package io.portcullis.scrub;

import io.portcullis.config.ScrubConfig;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseFilter;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The redaction stage: scrubs (or refuses) secrets in the request body, and installs the response's
 * {@link ScrubFilter}, which scrubs streamed events and whole bodies alike, so that
 * {@code stream: true} gets exactly what {@code stream: false} gets.
 */
public final class ScrubStage implements Handler<RoutingContext> {

  private final ScrubMetrics metrics;

  public ScrubStage(ScrubMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    Scrubbers scrubbers = Scrubbers.of(ex);
    if (scrubbers.responses() == null) {
      ctx.next();
      return;
    }
    if (scrubbers.requests() != null && !scrubRequest(ctx, ex, scrubbers.requests())) {
      return;
    }
    ctx.response().putHeader("x-portcullis-scrub", "on; rules=" + scrubbers.responses().ruleCount());
    ex.response().install(ResponseFilter.Order.SCRUB, new ScrubFilter(ex.format(), scrubbers.responses(), rule -> redacted(ex, rule)));
    ctx.next();
  }

  /**
   * Redacts the request body in place; a rule whose action is reject refuses the whole request
   * instead, and then the (partly redacted) body is never forwarded. False when refused.
   */
  private boolean scrubRequest(RoutingContext ctx, Exchange ex, Scrubber requests) {
    ScrubConfig config = ex.snapshot().config().scrub();
    JsonObject body = ex.body();
    Object model = body.remove("model");
    List<String> found = new ArrayList<>();
    JsonScrub.scrub(body, requests, found::add);
    body.put("model", model);
    for (String rule : found) {
      if (config.requestAction(rule) == ScrubConfig.RequestAction.REJECT) {
        ErrorResponder.respond(ctx, GatewayError.invalid("sensitive_data_in_request",
            "the request contains sensitive data (rule: " + rule + ")"));
        return false;
      }
    }
    found.forEach(rule -> redacted(ex, rule));
    return true;
  }

  /** Counted per rule in the metrics and per exchange for its access log line. */
  private void redacted(Exchange ex, String rule) {
    metrics.redacted(rule);
    ex.redacted();
  }
}
