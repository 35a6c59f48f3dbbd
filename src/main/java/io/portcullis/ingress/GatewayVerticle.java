package io.portcullis.ingress;

import io.portcullis.config.GatewayConfig;
import io.portcullis.scrub.ScrubMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client-facing HTTP server and its pipeline. One instance per event loop; each owns its
 * upstream HttpClient (a Vert.x client belongs to the context that created it).
 */
public final class GatewayVerticle extends VerticleBase {

  private final Supplier<GatewaySnapshot> snapshots;
  private final ProcessWide shared;
  private HttpServer server;
  private HttpClient upstream;
  private io.vertx.redis.client.Redis redis;

  public GatewayVerticle(Supplier<GatewaySnapshot> snapshots, ProcessWide shared) {
    this.snapshots = snapshots;
    this.shared = shared;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = snapshots.get().config();
    upstream = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(config.upstream().poolSize()).setHttp2MaxSize(config.upstream().poolSize()));
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(config.server().host())
            .setPort(config.server().port())
            .setTcpNoDelay(true)
            .setCompressionSupported(false) // SSE must never be compressed (it would be buffered)
            .setHttp2ClearTextEnabled(true))
        .requestHandler(Pipeline.router(vertx, snapshots, upstream, shared, authStage(config), limitStage(config)));
    vertx.setPeriodic(100, id -> shared.accessLog().flush()); // this event loop's access log lines
    return server.listen();
  }

  /** Stops accepting, lets in-flight requests and streams finish up to the drain timeout, then closes. */
  @Override
  public Future<?> stop() {
    long drainMs = snapshots.get().config().server().drainTimeout().toMillis();
    return server.shutdown(drainMs, TimeUnit.MILLISECONDS)
        .eventually(() -> {
          shared.accessLog().flush(); // on this verticle's event loop: its own pending lines
          return upstream.close();
        })
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
  }

  /** This event loop's Redis client (a Redis URL change needs a restart, like the listener settings). */
  private io.vertx.redis.client.RedisAPI redis(GatewayConfig config) {
    if (!config.redis().enabled()) {
      return null;
    }
    if (redis == null) {
      redis = io.vertx.redis.client.Redis.createClient(vertx, io.portcullis.limit.RedisClients.options(config.redis()));
    }
    return io.vertx.redis.client.RedisAPI.api(redis);
  }

  /** Limits: shared through Redis when configured, else (and as a fallback) in this process. */
  private io.portcullis.limit.LimitStage limitStage(GatewayConfig config) {
    io.vertx.redis.client.RedisAPI api = redis(config);
    io.portcullis.limit.RedisLimiter redisLimiter = null;
    if (api != null) {
      redisLimiter = new io.portcullis.limit.RedisLimiter(api, config.redis().timeout());
      redisLimiter.load(); // EVALSHA falls back to EVAL if this has not happened yet
      io.portcullis.limit.RedisLimiter flushed = redisLimiter;
      vertx.setPeriodic(1000, id -> flushed.flush());
    }
    return new io.portcullis.limit.LimitStage(redisLimiter, this.shared.localLimiter(), this.shared.limits(), shared.anomalies());
  }

  /** Authentication with this event loop's own clients (JWKS over HTTP, keys in Redis). */
  private io.portcullis.auth.AuthStage authStage(GatewayConfig config) {
    io.vertx.redis.client.RedisAPI api = redis(config);
    io.portcullis.auth.KeyStore keys = api == null ? null
        : new io.portcullis.auth.RedisKeyStore(api, config.redis().timeout());
    return new io.portcullis.auth.AuthStage(new io.portcullis.auth.ApiKeyAuthenticator(java.time.Instant::now),
        new io.portcullis.auth.JwtAuthenticator(vertx, upstream, 10_000), keys, shared.authFailures(), shared.auth());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
