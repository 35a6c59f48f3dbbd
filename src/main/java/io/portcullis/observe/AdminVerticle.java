package io.portcullis.observe;

import io.portcullis.config.AdminConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The admin port: {@code /healthz} (the process is alive), {@code /readyz} (send me traffic) and
 * {@code /metrics} (Prometheus).
 */
public final class AdminVerticle extends VerticleBase {

  private final AdminConfig config;
  private final Readiness readiness;
  private final Metrics metrics;
  private HttpServer server;

  public AdminVerticle(AdminConfig config, Readiness readiness, Metrics metrics) {
    this.config = config;
    this.readiness = readiness;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "alive").toBuffer()));
    router.get("/readyz").handler(ctx -> ctx.response().setStatusCode(readiness.isReady() ? 200 : 503)
        .putHeader("content-type", "application/json").end(readiness.detail().toBuffer()));
    // the scrape walks every meter: a worker does it, not the admin event loop
    router.get("/metrics").handler(ctx -> vertx.executeBlocking(metrics::scrape, false)
        .onSuccess(text -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(text))
        .onFailure(ctx::fail));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
        .requestHandler(router);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
