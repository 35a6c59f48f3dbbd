package io.portcullis.forward;

import io.portcullis.format.Untranslatable;
import io.portcullis.format.UpstreamFormat;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseFilter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last stage: says the request in the format of each target's provider (once per format), then
 * sends it to the targets in turn and relays the answer. A target whose format cannot express the
 * request is skipped; when none can, the request is refused with a 400 naming the field, and
 * nothing is charged.
 */
public final class Forwarder implements Handler<RoutingContext> {

  private final HttpClient client;
  private final DeadlineSweeper sweeper;
  private final UpstreamMetrics metrics;

  /** Created on the event loop that will run it (one per gateway verticle). */
  public Forwarder(Vertx vertx, HttpClient client, UpstreamMetrics metrics) {
    this.client = client;
    this.sweeper = new DeadlineSweeper(vertx);
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    List<TargetRequest> plans = ex.get(ModelRoute.SLOT).plansFor(ex.endpoint());
    List<TargetRequest> requests = plans;
    boolean translating = false;
    for (TargetRequest plan : plans) {
      translating |= plan.translation() != null;
    }
    if (translating) {
      // once per format the targets are asked in; a target whose format cannot express the request is skipped
      requests = new ArrayList<>(plans.size());
      Map<UpstreamFormat, JsonObject> bodies = new HashMap<>();
      Untranslatable refused = null;
      for (TargetRequest plan : plans) {
        try {
          JsonObject body = plan.translation() == null ? null
              : bodies.computeIfAbsent(plan.format(), f -> plan.translation().request(ex.body()));
          requests.add(new TargetRequest(plan.target(), plan.format(), plan.translation(), body));
        } catch (Untranslatable e) {
          refused = refused != null ? refused : e;
        }
      }
      if (requests.isEmpty()) {
        ex.unserved();
        ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.INVALID_REQUEST, "unsupported_by_provider",
            refused.violation().text() + " (no provider of this model can express it)"));
        return;
      }
    }
    // the chain's first link: every response's usage is read, whatever else is installed
    ex.response().install(ResponseFilter.Order.USAGE, new UsageTap(ex));
    Translating translate = null;
    if (translating) {
      translate = new Translating(ex);
      ex.response().install(ResponseFilter.Order.TRANSLATE, translate);
    }
    new UpstreamCall(client, sweeper, metrics, ctx, requests, translate).start();
  }
}
