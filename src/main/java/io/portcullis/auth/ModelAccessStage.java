package io.portcullis.auth;

import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Authorization of the model, once the body has named it: 403 when no role of the caller allows it. */
public final class ModelAccessStage implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    if (!ex.snapshot().get(Auth.SLOT).policy().mayUse(ex.principal(), ex.model())) {
      ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.PERMISSION, "model_not_allowed",
          "your role does not allow the model '" + ex.model() + "'"));
      return;
    }
    ctx.next();
  }
}
