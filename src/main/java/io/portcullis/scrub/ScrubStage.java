package io.portcullis.scrub;

import io.portcullis.config.ScrubConfig;
import io.portcullis.config.ScrubConfig.RequestAction;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseFilter;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The redaction stage: scrubs, pseudonymizes or refuses secrets and PII in the request body, and
 * installs the response's {@link ScrubFilter}, which scrubs streamed events and whole bodies alike
 * (so that {@code stream: true} gets exactly what {@code stream: false} gets) and then restores the
 * request's pseudonyms.
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
    Pseudonyms pseudonyms = scrubbers.pseudonymizing() ? new Pseudonyms(placeholdersIn(ex.body())) : null;
    if (scrubbers.requests() != null && !scrubRequest(ctx, ex, scrubbers.requests(), pseudonyms)) {
      return;
    }
    if (pseudonyms != null && !pseudonyms.isEmpty()) {
      ex.pseudonymized(pseudonyms.counts());
      pseudonyms.counts().forEach(metrics::pseudonymized);
    } else {
      pseudonyms = null;
    }
    ctx.response().putHeader("x-portcullis-scrub", "on; rules=" + scrubbers.responses().ruleCount());
    ex.response().install(ResponseFilter.Order.SCRUB,
        new ScrubFilter(ex.format(), scrubbers.responses(), rule -> redacted(ex, rule), pseudonyms));
    ctx.next();
  }

  /**
   * Redacts or pseudonymizes the request body in place; a rule whose action is reject refuses the
   * whole request instead, and then the (partly rewritten) body is never forwarded. False when
   * refused.
   */
  private boolean scrubRequest(RoutingContext ctx, Exchange ex, Scrubber requests, Pseudonyms pseudonyms) {
    ScrubConfig config = ex.snapshot().config().scrub();
    JsonObject body = ex.body();
    Object model = body.remove("model");
    List<String> found = new ArrayList<>();
    Redaction.Replacer replacer = pseudonyms == null ? null
        : (rule, value) -> config.requestAction(rule) == RequestAction.PSEUDONYMIZE
            ? pseudonyms.placeholder(rule, value) : requests.mask(rule);
    JsonScrub.scrub(body, requests, found::add, replacer);
    body.put("model", model);
    for (String rule : found) {
      if (config.requestAction(rule) == RequestAction.REJECT) {
        ErrorResponder.respond(ctx, GatewayError.invalid("sensitive_data_in_request",
            "the request contains sensitive data (rule: " + rule + ")"));
        return false;
      }
    }
    for (String rule : found) {
      if (config.requestAction(rule) != RequestAction.PSEUDONYMIZE) {
        redacted(ex, rule);
      }
    }
    return true;
  }

  /** Placeholder-shaped text the caller's request already holds: never handed out as a pseudonym. */
  private static Set<String> placeholdersIn(Object json) {
    Set<String> out = new HashSet<>();
    collect(json, out);
    return out;
  }

  private static void collect(Object node, Set<String> out) {
    if (node instanceof String s) {
      Pseudonyms.shapedIn(s, out);
    } else if (node instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        collect(e.getValue(), out);
      }
    } else if (node instanceof JsonArray a) {
      for (Object v : a) {
        collect(v, out);
      }
    }
  }

  /** Counted per rule in the metrics and per exchange for its access log line. */
  private void redacted(Exchange ex, String rule) {
    metrics.redacted(rule);
    ex.redacted();
  }
}
