package io.portcullis.ingress;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Writes a {@link GatewayError} to the client: the one place errors become HTTP. */
public final class ErrorResponder {

  private ErrorResponder() {}

  public static void respond(RoutingContext ctx, GatewayError error) {
    HttpServerResponse res = ctx.response();
    Exchange ex = Exchange.find(ctx);
    if (ex != null) {
      ex.error(error);
    }
    if (res.headWritten() || res.ended() || res.closed()) {
      return;
    }
    res.setStatusCode(error.status()).putHeader("content-type", "application/json")
        .putHeader("x-portcullis-error", error.code());
    if (error.retryAfterSeconds() > 0) {
      res.putHeader("retry-after", Long.toString(error.retryAfterSeconds()));
    }
    if (error.kind() == ErrorKind.AUTHENTICATION) {
      res.putHeader("www-authenticate", "Bearer");
    }
    res.end((ex == null ? error.toJson() : error.toJson(ex.format())).toBuffer());
  }
}
