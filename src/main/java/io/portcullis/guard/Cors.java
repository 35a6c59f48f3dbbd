package io.portcullis.guard;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.EndpointNames;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Snapshot;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * Cross-origin requests from browsers, by an explicit allowlist of origins per route. A preflight
 * ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered here, before
 * authentication (browsers send no credentials with it): 204 with the CORS headers for an allowed
 * origin, 403 with none for another. An actual request from an allowed origin gets its CORS headers
 * and goes on; from another it gets none (the browser then keeps the answer from the page). The
 * wildcard {@code *} is answered as {@code *} and never with credentials (checked at load too).
 */
public final class Cors implements Handler<RoutingContext> {

  private static final String EXPOSED = "x-request-id, retry-after, ratelimit, ratelimit-policy, x-ratelimit-limit-requests, "
      + "x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, "
      + "x-ratelimit-reset-tokens, x-portcullis-scrub, x-portcullis-error";

  private final Supplier<Snapshot> snapshots;
  private final GuardMetrics metrics;

  public Cors(Supplier<Snapshot> snapshots, GuardMetrics metrics) {
    this.snapshots = snapshots;
    this.metrics = metrics;
  }

  /** The route name of a path (as config names routes), or null outside the API. */
  static String route(String path) {
    if (MODELS_PATH.equals(path)) {
      return EndpointNames.MODELS;
    }
    for (Endpoint e : Endpoint.values()) {
      if (e.path().equals(path)) {
        return e.configName();
      }
    }
    return null;
  }

  private static final String MODELS_PATH = "/v1/models";

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String origin = req.getHeader("origin");
    boolean preflight = req.method() == HttpMethod.OPTIONS && req.getHeader("access-control-request-method") != null;
    if (origin == null) {
      ctx.next();
      return;
    }
    String route = route(req.path());
    GuardConfig.Cors cors = snapshots.get().config().guards().cors();
    List<String> allowed = route == null ? List.of() : cors.originsFor(route);
    boolean wildcard = allowed.contains("*") && !cors.credentials();
    boolean ok = wildcard || allowed.contains(origin);
    MultiMap headers = ctx.response().headers();
    headers.add("vary", "Origin");
    if (!ok) {
      if (preflight) {
        metrics.verdict("cors", "origin_not_allowed", "block");
        ctx.response().setStatusCode(403).end();
      } else {
        ctx.next(); // no CORS headers: the browser keeps the answer from the page
      }
      return;
    }
    headers.set("access-control-allow-origin", wildcard ? "*" : origin);
    if (cors.credentials()) {
      headers.set("access-control-allow-credentials", "true");
    }
    if (preflight) {
      headers.set("access-control-allow-methods", route.equals("models") ? "GET, OPTIONS" : "POST, OPTIONS");
      headers.set("access-control-allow-headers", String.join(", ", cors.headers()));
      headers.set("access-control-max-age", String.valueOf(cors.maxAge().toSeconds()));
      ctx.response().setStatusCode(204).end();
      return;
    }
    headers.set("access-control-expose-headers", EXPOSED);
    ctx.next();
  }
}
