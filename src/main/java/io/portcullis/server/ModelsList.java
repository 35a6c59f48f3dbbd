package io.portcullis.server;

import io.portcullis.auth.Auth;
import io.portcullis.forward.RouteTable;
import io.portcullis.ingress.Exchange;
import io.portcullis.forward.ModelRoute;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/models}: the model names clients may ask for, in OpenAI's list shape. */
final class ModelsList implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    Exchange ex = Exchange.of(ctx);
    for (ModelRoute route : ex.snapshot().get(RouteTable.SLOT).routes()) {
      if (!ex.snapshot().get(Auth.SLOT).policy().mayUse(ex.principal(), route.name())) {
        continue; // a caller sees only the models its roles allow
      }
      data.add(new JsonObject().put("id", route.name()).put("object", "model").put("created", 0)
          .put("owned_by", "portcullis"));
    }
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
  }
}
