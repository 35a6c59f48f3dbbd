package io.portcullis.server;

import io.portcullis.config.ServerConfig;
import io.portcullis.guard.ConnectionCounts;
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
 * the rest is discarded unread into memory. Either way: 413, never a buffer beyond the limit. A
 * body that has not arrived in full within {@code server.connections.body_timeout} gets 408 and
 * the connection is closed (a slow upload holds a connection and a buffer).
 */
final class BodyReader implements Handler<RoutingContext> {

  private final ConnectionCounts counts;

  BodyReader(ConnectionCounts counts) {
    this.counts = counts;
  }

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
    long[] timer = {-1};
    req.endHandler(v -> {
      if (timer[0] >= 0) {
        ctx.vertx().cancelTimer(timer[0]);
      }
      if (!refused[0]) {
        ex.rawBody(body);
        ctx.next();
      }
    });
    req.exceptionHandler(e -> refused[0] = true);
    req.resume(); // a body that came with the headers is delivered here, before any timer is needed
    if (!refused[0] && !req.isEnded()) {
      ServerConfig.Connections limits = ex.snapshot().config().server().connections();
      timer[0] = ctx.vertx().setTimer(limits.bodyTimeout().toMillis(), t -> {
        timer[0] = -1;
        if (!refused[0] && !req.isEnded()) {
          refused[0] = true;
          timedOut(ctx, limits.bodyTimeout().toMillis());
        }
      });
    }
  }

  private void timedOut(RoutingContext ctx, long ms) {
    counts.closed(ConnectionCounts.Reason.BODY_TIMEOUT);
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      // the rest of the body would still have to be read: the connection goes (an HTTP/2 stream
      // ends alone, its connection serves others)
      ctx.response().putHeader("connection", "close");
      ctx.addEndHandler(v -> ctx.request().connection().close());
    }
    ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.REQUEST_TIMEOUT, "request_timeout",
        "the request body did not arrive within " + ms + " ms"));
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
