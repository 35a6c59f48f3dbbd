package io.portcullis.ingress;

import io.portcullis.forward.Endpoint;
import io.portcullis.forward.Forwarder;
import io.portcullis.forward.RouteResolver;
import io.portcullis.scrub.ScrubStage;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/** The whole request pipeline, in order. Each stage calls next() or ends the exchange with an error. */
public final class Pipeline {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pipeline.class);

  private Pipeline() {}

  public static Router router(Vertx vertx, Supplier<GatewaySnapshot> snapshots, HttpClient upstream, ProcessWide shared,
      io.portcullis.auth.AuthStage authenticate, io.portcullis.limit.LimitStage limit) {
    Router router = Router.router(vertx);
    // every response, errors included, carries the security headers; browsers' cross-origin
    // requests are sorted out before anything else (a preflight carries no credentials)
    router.route().handler(new io.portcullis.guard.SecurityHeaders(snapshots));
    router.route().handler(new io.portcullis.guard.Cors(snapshots, shared.guards()));
    io.portcullis.guard.GuardStage guard = new io.portcullis.guard.GuardStage(shared.guards());
    BodyReader readBody = new BodyReader();
    RequestParser parse = new RequestParser();
    RouteResolver resolve = new RouteResolver();
    ScrubStage scrub = new ScrubStage(shared.scrub());
    Forwarder forward = new Forwarder(vertx, upstream, shared.upstream());
    io.portcullis.auth.ModelAccessStage authorize = new io.portcullis.auth.ModelAccessStage();

    for (Endpoint endpoint : Endpoint.values()) {
      router.post(endpoint.path())
          .handler(new RequestStart(snapshots, endpoint, shared)) // request id, config snapshot, metrics
          .handler(authenticate)                          // 429 guessing IP, 401 credential, 403 endpoint
          .handler(readBody)                              // 413 while reading
          .handler(parse)                                 // 400 malformed JSON / fields
          .handler(authorize)                             // 403 model outside the caller's roles
          .handler(guard)                                 // 400 invalid body, forbidden parameter, prompt injection (block)
          .handler(limit)                                 // 429 over a limit (one Redis round trip), 503 closed
          .handler(scrub)                                 // redact the request, arm response redaction
          .handler(resolve)                               // 404 unknown model
          .handler(forward);                              // failover, SSE relay, timeouts
    }
    router.get("/v1/models").handler(new RequestStart(snapshots, null, shared)).handler(authenticate).handler(new ModelsList());

    router.errorHandler(404, ctx -> ErrorResponder.respond(ctx,
        GatewayError.of(ErrorKind.NOT_FOUND, "unknown_path", "no such endpoint: " + ctx.request().method() + " " + safePath(ctx.request().path()))));
    router.errorHandler(405, ctx -> ErrorResponder.respond(ctx,
        GatewayError.of(ErrorKind.METHOD_NOT_ALLOWED, "method_not_allowed", "method " + ctx.request().method() + " is not allowed here")));
    router.errorHandler(500, ctx -> {
      // the exception's class only: a message could quote request content, which never goes to a log
      LOG.error("request {} failed inside the gateway: {}", requestId(ctx),
          ctx.failure() == null ? "status " + ctx.statusCode() : ctx.failure().getClass().getName());
      ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.INTERNAL, "internal_error",
          "the gateway failed to handle this request"));
    });
    return router;
  }

  private static String requestId(io.vertx.ext.web.RoutingContext ctx) {
    Exchange ex = Exchange.find(ctx);
    return ex == null ? "-" : ex.requestId();
  }

  private static String safePath(String path) {
    if (path == null) {
      return "";
    }
    return path.length() > 100 ? path.substring(0, 100) + "..." : path;
  }
}
