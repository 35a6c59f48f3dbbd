package io.portcullis.scrub;

import io.portcullis.config.ScrubConfig;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The redaction stage: scrubs (or refuses) secrets in the request body, and installs the scrubbers
 * of the response, the per-event hook for streams and the block filter for whole bodies, so that
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
    Scrubber scrubber = ex.snapshot().scrubber();
    if (scrubber == null) {
      ctx.next();
      return;
    }
    Scrubber requests = ex.snapshot().requestScrubber();
    if (requests != null) {
      // redact in place; a rule whose action is reject refuses the whole request instead, and
      // then the (partly redacted) body is never forwarded
      ScrubConfig config = ex.snapshot().config().scrub();
      JsonObject body = ex.body();
      Object model = body.remove("model");
      List<String> found = new ArrayList<>();
      JsonScrub.scrub(body, requests, found::add);
      body.put("model", model);
      for (String rule : found) {
        if (config.requestAction(rule).equals("reject")) {
          ErrorResponder.respond(ctx, GatewayError.invalid("sensitive_data_in_request",
              "the request contains sensitive data (rule: " + rule + ")"));
          return;
        }
      }
      found.forEach(rule -> redacted(ex, rule));
    }
    ctx.response().putHeader("x-portcullis-scrub", "on; rules=" + scrubber.ruleCount());
    ex.hook(scrubber.streamHook(ex.endpoint().format(), rule -> redacted(ex, rule)));
    ex.bodyFilter(body -> scrubBody(ex, body, scrubber));
    ctx.next();
  }

  /** Counted per rule in the metrics and per exchange for its access log line. */
  private void redacted(Exchange ex, String rule) {
    metrics.redacted(rule);
    ex.redacted();
  }

  private Buffer scrubBody(Exchange ex, Buffer body, Scrubber scrubber) {
    try {
      Object json = Json.decodeValue(body);
      if (JsonScrub.scrub(json, scrubber, rule -> redacted(ex, rule))) {
        return Json.encodeToBuffer(json);
      }
      return body;
    } catch (DecodeException e) {
      // not JSON: scrub it as text, it never passes unscanned
      return Buffer.buffer(scrubber.scrub(body.toString(), rule -> redacted(ex, rule)));
    }
  }
}
