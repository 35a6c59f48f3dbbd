package io.portcullis.server;

import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.ErrorKind;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads the request body up to {@code server.max_body_size}. A declared Content-Length over the
 * limit is refused before reading; a body that grows past it is refused the moment it does, and
 * the rest is discarded unread into memory. Either way: 413, never a buffer beyond the limit.
 */
final class BodyReader implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    long max = ex.snapshot().config().server().maxBodyBytes();
    HttpServerRequest req = ctx.request();
    String declared = req.getHeader("content-length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > max) {
          tooLarge(ctx, max);
          return;
        }
      } catch (NumberFormatException e) {
        ErrorResponder.respond(ctx, GatewayError.invalid("invalid_content_length", "Content-Length is not a number"));
        return;
      }
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) {
        return; // discard the rest of an oversized body
      }
      if (body.length() + chunk.length() > max) {
        refused[0] = true;
        tooLarge(ctx, max);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!refused[0]) {
        ex.rawBody(body);
        ctx.next();
      }
    });
    req.exceptionHandler(e -> refused[0] = true);
    req.resume();
  }

  private static void tooLarge(RoutingContext ctx, long max) {
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      // the unread remainder makes the connection unusable for another request
      ctx.response().putHeader("connection", "close");
    }
    ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.PAYLOAD_TOO_LARGE, "request_too_large",
        "request body exceeds the limit of " + max + " bytes"));
  }
}
