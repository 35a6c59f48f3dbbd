package io.portcullis.observe;

import io.portcullis.config.AdminConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.LimitsConfig;
import io.portcullis.config.AuthConfig;
import io.portcullis.config.RedisClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The admin port: {@code /healthz} (the process is alive), {@code /readyz} (send me traffic),
 * {@code /metrics} (Prometheus), and whatever else the process mounts on it (the admin API).
 */
public final class AdminVerticle extends VerticleBase {

  private final AdminConfig config;
  private final Readiness readiness;
  private final Metrics metrics;
  private final Supplier<GatewayConfig> current;
  /** Mounts the rest of the admin routes (the admin API) on this verticle's router. */
  private final BiConsumer<Vertx, Router> more;
  private HttpServer server;
  private Redis redis;
  /** When the first failed ping of the current outage happened; 0 while Redis answers. */
  private long redisDownSince;

  public AdminVerticle(AdminConfig config, Readiness readiness, Metrics metrics,
      Supplier<GatewayConfig> current) {
    this(config, readiness, metrics, current, (v, r) -> { });
  }

  public AdminVerticle(AdminConfig config, Readiness readiness, Metrics metrics,
      Supplier<GatewayConfig> current, BiConsumer<Vertx, Router> more) {
    this.more = more;
    this.config = config;
    this.readiness = readiness;
    this.metrics = metrics;
    this.current = current;
  }

  private TargetProbe probe;
  private boolean probing;

  /** Probes every provider (one round at a time) and hands reachability by model to readiness. */
  private Future<Void> probeTargets() {
    if (probing) {
      return Future.succeededFuture();
    }
    probing = true;
    return probe.probe(current.get()).map(models -> {
      readiness.models(models);
      return (Void) null;
    }).eventually(() -> {
      probing = false;
      return Future.succeededFuture();
    });
  }

  /**
   * Pings Redis once a second while a configured feature cannot serve without it for long: API keys
   * kept in Redis (served from the cache for {@code stale_if_error}), or a limit policy that refuses
   * requests without Redis ({@code on_redis_failure: closed}). Limits that fall back to local
   * counting or admit everything do not need it to serve.
   */
  private void checkRedis() {
    GatewayConfig c = current.get();
    List<String> neededBy = redisNeededBy(c);
    if (neededBy.isEmpty()) {
      readiness.redis(null, neededBy, List.of());
      return;
    }
    if (redis == null) {
      redis = Redis.createClient(vertx, RedisClients.options(c.redis()));
    }
    RedisAPI.api(redis).ping(List.of())
        .timeout(c.redis().timeout().toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            redisDownSince = 0;
            readiness.redis(true, neededBy, List.of());
            return;
          }
          long now = System.nanoTime();
          if (redisDownSince == 0) {
            redisDownSince = now;
          }
          readiness.redis(false, neededBy, cannotServe(c, neededBy, now - redisDownSince));
        });
  }

  /**
   * The features that cannot serve after Redis has been unreachable this long: closed limits at
   * once; keys kept in Redis once their cache can no longer stand in ({@code stale_if_error}; at
   * once without a cache).
   */
  static List<String> cannotServe(GatewayConfig c, List<String> neededBy, long downNanos) {
    List<String> out = new ArrayList<>();
    AuthConfig.KeyCacheConfig cache = c.auth().keyCache();
    if (neededBy.contains("api_keys")
        && (cache.maxEntries() == 0 || downNanos >= cache.staleIfError().toNanos())) {
      out.add("api_keys");
    }
    if (neededBy.contains("limits")) {
      out.add("limits");
    }
    return out;
  }

  /** The features of this config that cannot serve without Redis. */
  static List<String> redisNeededBy(GatewayConfig c) {
    List<String> out = new ArrayList<>();
    if (!c.redis().enabled()) {
      return out;
    }
    if (c.auth().enabled() && c.auth().redisKeys()) {
      out.add("api_keys");
    }
    if (c.limits().policies().values().stream().anyMatch(p -> p.onRedisFailure() == LimitsConfig.OnRedisFailure.CLOSED)) {
      out.add("limits");
    }
    return out;
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
    more.accept(vertx, router);
    checkRedis();
    vertx.setPeriodic(1000, id -> checkRedis());
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
        .requestHandler(router);
    long every = current.get().observe().probeInterval().toMillis();
    probe = new TargetProbe(vertx, Math.max(100, Math.min(every, 2000)));
    vertx.setPeriodic(every, id -> probeTargets());
    // the first probe ends before the server listens: readiness never reports targets it has not tried
    return probeTargets().compose(v -> server.listen());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
