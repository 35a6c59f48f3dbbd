package io.portcullis.forward;

import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.ResponseFilter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.RoutingContext;

/** The last stage: sends the request to the route's targets and relays the answer. */
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
    // the chain's first link: every response's usage is read, whatever else is installed
    ex.response().install(ResponseFilter.Order.USAGE, new UsageTap(ex));
    new UpstreamCall(client, sweeper, metrics, ctx, ex.get(ModelRoute.SLOT).targetsFor(ex.endpoint())).start();
  }
}
