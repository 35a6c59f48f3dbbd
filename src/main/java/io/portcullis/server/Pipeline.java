package io.portcullis.server;

import io.portcullis.auth.AuthStage;
import io.portcullis.auth.ModelAccessStage;
import io.portcullis.forward.Forwarder;
import io.portcullis.forward.RouteResolver;
import io.portcullis.guard.ConnectionGuard;
import io.portcullis.guard.Cors;
import io.portcullis.guard.GuardStage;
import io.portcullis.guard.SecurityHeaders;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.Snapshot;
import io.portcullis.limit.LimitStage;
import io.portcullis.observe.Tracing;
import io.portcullis.scrub.ScrubStage;
import io.portcullis.web.ChatPage;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole request pipeline, in order. Each stage calls next() or ends the exchange with an error.
 * The response side is the exchange's chain of filters, installed on the way: redaction by the
 * scrub stage, the budget cut by the limit stage, usage by the forwarder.
 */
public final class Pipeline {

  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private Pipeline() {}

  public static Router router(Vertx vertx, Supplier<Snapshot> snapshots, HttpClient upstream, ProcessWide shared,
      ConnectionGuard connections, AuthStage authenticate, LimitStage limit) {
    Router router = Router.router(vertx);
    // the connection has sent a whole request: no header or idle timeout until its response ends
    router.route().handler(connections);
    // every response, errors included, carries the security headers; browsers' cross-origin
    // requests are sorted out before anything else (a preflight carries no credentials)
    router.route().handler(new SecurityHeaders(snapshots));
    router.route().handler(new Cors(snapshots, shared.guards()));
    GuardStage guard = new GuardStage(shared.guards());
    BodyReader readBody = new BodyReader(shared.connections());
    RequestParser parse = new RequestParser(shared.requests());
    RouteResolver resolve = new RouteResolver();
    ScrubStage scrub = new ScrubStage(shared.scrub());
    Forwarder forward = new Forwarder(vertx, upstream, shared.upstream());
    ModelAccessStage authorize = new ModelAccessStage();
    boolean tracing = shared.tracing().enabled();

    for (Endpoint endpoint : Endpoint.values()) {
      Route route = router.post(endpoint.path())
          .handler(new RequestStart(snapshots, endpoint, shared)) // request id, config snapshot, metrics, trace
          .handler(authenticate);                         // 429 guessing IP, 401 credential, 403 endpoint
      mark(route, tracing, Tracing.Mark.AUTH_END);
      route.handler(readBody)                             // 413 while reading
          .handler(parse)                                 // 400 malformed JSON / fields
          .handler(authorize)                             // 403 model outside the caller's roles
          .handler(resolve)                               // 404 unknown model (before anything is charged)
          .handler(guard);                                // 400 invalid body, forbidden parameter, prompt injection (block)
      mark(route, tracing, Tracing.Mark.LIMITS_START);
      route.handler(limit);                               // 429 over a limit (one Redis round trip), 503 closed
      mark(route, tracing, Tracing.Mark.LIMITS_END);
      route.handler(scrub)                                // redact the request, install the response's redaction
          .handler(forward);                              // failover, SSE relay, timeouts
    }
    router.get("/v1/models").handler(new RequestStart(snapshots, null, shared)).handler(authenticate).handler(new ModelsList());
    if (snapshots.get().config().web().enabled()) {
      ChatPage.mount(router, snapshots); // the chat page; its own CSP (the API's allows nothing)
    }

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

  /** A stage boundary for the request's trace (nothing is added to the route when traces are off). */
  private static void mark(Route route, boolean tracing, Tracing.Mark mark) {
    if (tracing) {
      route.handler(ctx -> {
        Tracing.mark(Exchange.of(ctx), mark);
        ctx.next();
      });
    }
  }

  private static String requestId(RoutingContext ctx) {
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
