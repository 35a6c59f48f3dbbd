package io.portcullis.forward;

import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.stream.Collectors;

/** Finds the route for the requested model: 404 when the model is unknown or not served here. */
public final class RouteResolver implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    ModelRoute route = ex.snapshot().get(RouteTable.SLOT).route(ex.model());
    String shown = ex.model().length() > 100 ? ex.model().substring(0, 100) + "..." : ex.model();
    if (route == null) {
      ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.NOT_FOUND, "model_not_found",
          "The model '" + shown + "' does not exist"));
      return;
    }
    if (!route.offeredOn(ex.endpoint())) {
      String offered = route.endpoints().stream().map(Endpoint::path).sorted().collect(Collectors.joining(", "));
      ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.NOT_FOUND, "model_not_supported",
          "The model '" + shown + "' is not offered on " + ex.endpoint().path() + " (it is on " + offered + ")"));
      return;
    }
    if (!route.servedOn(ex.endpoint())) {
      ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.NOT_FOUND, "model_not_found",
          "The model '" + shown + "' is not served on " + ex.endpoint().path()));
      return;
    }
    ex.put(ModelRoute.SLOT, route);
    ctx.next();
  }
}
