package io.portcullis.forward;

import io.portcullis.ingress.Exchange;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.RoutingContext;

/** The last stage: sends the request to the route's targets and relays the answer. */
public final class Forwarder implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final HttpClient client;

  public Forwarder(Vertx vertx, HttpClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    new UpstreamCall(vertx, client, ctx, ex.route().targetsFor(ex.endpoint())).start();
  }
}
