package io.portcullis.server;

import io.netty.handler.codec.TooLongFrameException;
import io.portcullis.auth.ApiKeyAuthenticator;
import io.portcullis.auth.AuthFailures;
import io.portcullis.auth.AuthStage;
import io.portcullis.auth.CachingKeyStore;
import io.portcullis.auth.JwtAuthenticator;
import io.portcullis.auth.KeyStore;
import io.portcullis.auth.RedisKeyStore;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.GuardConfig;
import io.portcullis.config.RedisClients;
import io.portcullis.guard.ConnectionGuard;
import io.portcullis.guard.SecurityHeaders;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.Snapshot;
import io.portcullis.limit.LeasedLimiter;
import io.portcullis.limit.LimitStage;
import io.portcullis.limit.RedisLimiter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The client-facing HTTP server and its pipeline. One instance per event loop; each owns its
 * upstream HttpClient (a Vert.x client belongs to the context that created it).
 */
public final class GatewayVerticle extends VerticleBase {

  /** The shared limiter of this event loop, or null without Redis. */
  private LeasedLimiter leasedLimiter;
  private final Supplier<Snapshot> snapshots;
  private final ProcessWide shared;
  private HttpServer server;
  private HttpClient upstream;
  private Redis redis;

  public GatewayVerticle(Supplier<Snapshot> snapshots, ProcessWide shared) {
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
    GuardConfig.Edge edge = config.guards().edge();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.server().host())
        .setPort(config.server().port())
        .setTcpNoDelay(true)
        // every handler runs on this verticle's event loop (blocking work hands its result back to
        // it), so a connection writes directly instead of through a cross-thread queue: about 4 KB
        // less per open connection (5,000 streams: 20 MB)
        .setStrictThreadMode(true)
        .setCompressionSupported(false) // SSE must never be compressed (it would be buffered)
        .setHttp2ClearTextEnabled(config.server().h2c())
        .setMaxHeaderSize(edge.maxHeaderBytes())
        .setMaxInitialLineLength(edge.maxUrlLength());
    TlsOptions.server(options, config.server().tls());
    // a TLS handshake counts against the header timeout: both are the time to say what one wants
    options.setSslHandshakeTimeout(config.server().connections().headerTimeout().toMillis())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (config.server().clients().proxyProtocol()) {
      // every connection starts with a PROXY header (v1 or v2) naming the client; one without is closed
      options.setUseProxyProtocol(true).setProxyProtocolTimeout(config.server().connections().headerTimeout().toMillis())
          .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    ConnectionGuard connections = new ConnectionGuard(vertx, snapshots, shared.connections());
    server = vertx.createHttpServer(options)
        .connectionHandler(connections::connected)
        .invalidRequestHandler(this::invalidRequest)
        .requestHandler(Pipeline.router(vertx, snapshots, upstream, shared, connections, authStage(config), limitStage(config)));
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
        // every request has ended: what this event loop still holds of the shared counters goes back
        .eventually(() -> leasedLimiter == null ? Future.succeededFuture() : leasedLimiter.close()
            .timeout(snapshots.get().config().redis().timeout().toMillis() * 2, TimeUnit.MILLISECONDS))
        .eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
  }

  /**
   * A request the HTTP decoder refused before any routing (a request line or headers past the edge
   * limits, a malformed request): answered with the gateway's JSON error and headers, the connection closed.
   */
  private void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    GatewayError error;
    int status;
    if (cause instanceof TooLongFrameException && String.valueOf(cause.getMessage()).contains("header")) {
      status = 431;
      error = GatewayError.invalid("headers_too_large", "the request headers are larger than " + snapshots.get().config().guards().edge().maxHeaderBytes() + " bytes");
    } else if (cause instanceof TooLongFrameException) {
      status = 414;
      error = GatewayError.invalid("url_too_long", "the request line is longer than " + snapshots.get().config().guards().edge().maxUrlLength() + " characters");
    } else {
      status = 400;
      error = GatewayError.invalid("malformed_request", "the request is not valid HTTP");
    }
    shared.guards().verdict("edge", error.code(), "block");
    HttpServerResponse res = req.response();
    SecurityHeaders.put(res.headers(), snapshots.get().config().server().tls().enabled());
    res.setStatusCode(status).putHeader("content-type", "application/json").putHeader("x-portcullis-error", error.code())
        .putHeader("connection", "close")
        .end(error.toJson().toBuffer()).onComplete(v -> req.connection().close());
  }

  /** Applies the TLS settings of a reloaded config: the key and certificate are read again. */
  public void reloadTls(GatewayConfig config) {
    if (server != null && config.server().tls().enabled()) {
      context.runOnContext(v -> server.updateSSLOptions(TlsOptions.reload(config.server().tls()), true)
          .onFailure(e -> LoggerFactory.getLogger(GatewayVerticle.class)
              .error("TLS reload failed, the previous certificate stays: {}", e.getClass().getName())));
    }
  }

  /** This event loop's Redis client (a Redis URL change needs a restart, like the listener settings). */
  private RedisAPI redis(GatewayConfig config) {
    if (!config.redis().enabled()) {
      return null;
    }
    if (redis == null) {
      redis = Redis.createClient(vertx, RedisClients.options(config.redis()));
    }
    return RedisAPI.api(redis);
  }

  /** Limits: shared through Redis when configured, else (and as a fallback) in this process. */
  private LimitStage limitStage(GatewayConfig config) {
    RedisAPI api = redis(config);
    LeasedLimiter sharedLimiter = null;
    if (api != null) {
      RedisLimiter redisLimiter = new RedisLimiter(api, config.redis().timeout());
      redisLimiter.load(); // EVALSHA falls back to EVAL if this has not happened yet
      LeasedLimiter leased = sharedLimiter = leasedLimiter = new LeasedLimiter(redisLimiter, () -> snapshots.get().config().limits().lease());
      vertx.setPeriodic(100, id -> leased.endLeases()); // what is left of an ended lease goes back within 100 ms
      vertx.setPeriodic(1000, id -> leased.flush()); // corrections that found no decision to ride along with
    }
    return new LimitStage(sharedLimiter, this.shared.localLimiter(), this.shared.limits(), shared.anomalies());
  }

  /** Authentication with this event loop's own clients (JWKS over HTTP, keys in Redis). */
  private AuthStage authStage(GatewayConfig config) {
    RedisAPI api = redis(config);
    KeyStore keys = api == null ? null
        : new CachingKeyStore(new RedisKeyStore(api, config.redis().timeout()), shared.keyCache(),
            () -> snapshots.get().config().auth().keyCache(), shared.auth());
    return new AuthStage(new ApiKeyAuthenticator(Instant::now, vertx),
        new JwtAuthenticator(vertx, upstream, 10_000), keys,
        new AuthFailures(api, config.redis().timeout(), shared.authFailures()), shared.auth(), shared.blocklist());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
