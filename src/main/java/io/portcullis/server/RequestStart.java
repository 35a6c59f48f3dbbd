package io.portcullis.server;

import io.portcullis.config.ClientAddressConfig;
import io.portcullis.ingress.ClientAddress;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.Snapshot;
import io.portcullis.ingress.Usage;
import io.portcullis.observe.RequestMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * First stage: takes the current config snapshot, gives the request an id (the client's
 * {@code x-request-id} when it is a sane token), finds the client's address and attaches the
 * {@link Exchange}.
 */
final class RequestStart implements Handler<RoutingContext> {

  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final Supplier<Snapshot> snapshots;
  private final Endpoint endpoint;
  private final RequestMetrics metrics;
  private final ProcessWide shared;
  private final String route;

  RequestStart(Supplier<Snapshot> snapshots, Endpoint endpoint, ProcessWide shared) {
    this.snapshots = snapshots;
    this.endpoint = endpoint;
    this.metrics = shared.requests();
    this.shared = shared;
    this.route = endpoint == null ? "models" : endpoint.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader("x-request-id");
    if (id == null || !SANE_ID.matcher(id).matches()) {
      id = newId();
    }
    // hold the body until BodyReader asks for it: stages before it (authentication) may wait on
    // Redis or a JWKS fetch, and a body that ended meanwhile could no longer be read
    ctx.request().pause();
    long start = System.nanoTime();
    Exchange.attach(ctx, new Exchange(id, start, shared.warmup().choose(ctx.request(), snapshots.get()), endpoint));
    metrics.started();
    Exchange ex = Exchange.of(ctx);
    ex.clientAddress(clientAddress(ctx.request(), ex.snapshot().config().server().clients()));
    shared.tracing().start(ctx, ex);
    ctx.addEndHandler(done -> {
      long took = System.nanoTime() - start;
      int status = ctx.response().getStatusCode();
      metrics.finished(route, status, took);
      if (ex.stream()) {
        metrics.streamEnded();
      }
      metrics.genAi(ex, status, took);
      shared.accessLog().write(ex, route, status, took);
      shared.spend().record(ex);
      shared.tracing().finish(ex, status);
      if (ex.principal() != null && ex.model() != null) {
        Usage usage = ex.usage();
        shared.anomalies().record(ex.principal().subject(), 1, Math.max(0, usage.input()) + Math.max(0, usage.output()),
            ex.snapshot().config().observe().anomaly());
      }
    });
    ctx.response().putHeader("x-request-id", id);
    ctx.next();
  }

  /** The client behind the trusted proxies (the peer itself when there are none: no header is read then). */
  static String clientAddress(HttpServerRequest req, ClientAddressConfig config) {
    // the connection's address: the one a PROXY protocol header gave, when the listener takes it
    SocketAddress peer = req.connection() == null ? req.remoteAddress() : req.connection().remoteAddress();
    String peerText = peer == null ? null : peer.hostAddress();
    if (config.trustedProxies().isEmpty()) {
      return peerText == null ? "-" : peerText;
    }
    return ClientAddress.resolve(peerText, req.headers().getAll(config.header()), config);
  }

  private static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "req_" + Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Long.toHexString(r.nextLong() | Long.MIN_VALUE);
  }
}
