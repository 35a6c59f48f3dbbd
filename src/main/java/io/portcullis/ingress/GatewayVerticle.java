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
    HttpClientOptions client = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setDecompressionSupported(false);
    TlsOptions.upstream(client, config.upstream().trustFile(), config.upstream().trustPassword());
    upstream = vertx.createHttpClient(client,
        new PoolOptions().setHttp1MaxSize(config.upstream().poolSize()).setHttp2MaxSize(config.upstream().poolSize()));
    io.portcullis.config.GuardConfig.Edge edge = config.guards().edge();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.server().host())
        .setPort(config.server().port())
        .setTcpNoDelay(true)
        .setCompressionSupported(false) // SSE must never be compressed (it would be buffered)
        .setHttp2ClearTextEnabled(true)
        .setMaxHeaderSize(edge.maxHeaderBytes())
        .setMaxInitialLineLength(edge.maxUrlLength());
    TlsOptions.server(options, config.server().tls());
    server = vertx.createHttpServer(options)
        .invalidRequestHandler(this::invalidRequest)
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

  /**
   * A request the HTTP decoder refused before any routing (a request line or headers past the edge
   * limits, a malformed request): answered with the gateway's JSON error and headers, the connection closed.
   */
  private void invalidRequest(io.vertx.core.http.HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    GatewayError error;
    int status;
    if (cause instanceof io.netty.handler.codec.TooLongFrameException && String.valueOf(cause.getMessage()).contains("header")) {
      status = 431;
      error = GatewayError.invalid("headers_too_large", "the request headers are larger than " + snapshots.get().config().guards().edge().maxHeaderBytes() + " bytes");
    } else if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
      status = 414;
      error = GatewayError.invalid("url_too_long", "the request line is longer than " + snapshots.get().config().guards().edge().maxUrlLength() + " characters");
    } else {
      status = 400;
      error = GatewayError.invalid("malformed_request", "the request is not valid HTTP");
    }
    shared.guards().verdict("edge", error.code(), "block");
    io.vertx.core.http.HttpServerResponse res = req.response();
    io.portcullis.guard.SecurityHeaders.put(res.headers(), snapshots.get().config().server().tls().enabled());
    res.setStatusCode(status).putHeader("content-type", "application/json").putHeader("connection", "close")
        .end(error.toJson().toBuffer()).onComplete(v -> req.connection().close());
  }

  /** Applies the TLS settings of a reloaded config: the key and certificate are read again. */
  public void reloadTls(GatewayConfig config) {
    if (server != null && config.server().tls().enabled()) {
      context.runOnContext(v -> server.updateSSLOptions(TlsOptions.reload(config.server().tls()), true)
          .onFailure(e -> org.slf4j.LoggerFactory.getLogger(GatewayVerticle.class)
              .error("TLS reload failed, the previous certificate stays: {}", e.getClass().getName())));
    }
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
