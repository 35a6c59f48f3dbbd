package io.portcullis.guard;

import io.portcullis.ingress.Snapshot;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * Headers every response carries: no MIME sniffing, nothing cached (answers are per caller), a
 * content security policy that allows nothing (the gateway serves no HTML; should a browser ever
 * render an answer, it runs nothing), no referrer, no framing, and HSTS when the listener is HTTPS.
 * No {@code Server} header (Vert.x sends none): nothing reveals versions.
 */
public final class SecurityHeaders implements Handler<RoutingContext> {

  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'");
  private static final CharSequence HSTS = HttpHeaders.createOptimized("max-age=31536000; includeSubDomains");
  private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("x-content-type-options");
  private static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("content-security-policy");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("referrer-policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("x-frame-options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence STRICT_TRANSPORT = HttpHeaders.createOptimized("strict-transport-security");

  private final Supplier<Snapshot> snapshots;

  public SecurityHeaders(Supplier<Snapshot> snapshots) {
    this.snapshots = snapshots;
  }

  /** The headers, on any response (also used for answers made before routing). */
  public static void put(MultiMap headers, boolean tls) {
    headers.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
    headers.set(CONTENT_SECURITY_POLICY, CSP);
    headers.set(REFERRER_POLICY, NO_REFERRER);
    headers.set(FRAME_OPTIONS, DENY);
    if (tls) {
      headers.set(STRICT_TRANSPORT, HSTS);
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    put(ctx.response().headers(), snapshots.get().config().server().tls().enabled());
    ctx.next();
  }
}
