package io.portcullis.guard;

import io.portcullis.config.IpAddresses;
import io.portcullis.config.ServerConfig;
import io.portcullis.ingress.Snapshot;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Closes client connections that hold a slot without using it: one that has not finished sending
 * its first request's headers within {@code header_timeout} (slowloris, or nothing at all), and one
 * that has not finished the next request's headers within {@code keep_alive_timeout} of its last
 * response (idle, or a slow next request). A connection with a request in progress (a long stream
 * included) is never timed out here. New connections past {@code max} or {@code max_per_client} are
 * closed at once, before anything is read from them. The client is the TCP peer, or the address a
 * PROXY protocol header names; a trusted proxy is not held to the per-client cap.
 *
 * <p>One per event loop, used only on it: the connection table needs no locks. Each connection has
 * at most one timer pending; a request moves its deadline without touching the timer, and the timer,
 * when it fires early, re-arms itself for the rest (so a busy keep-alive connection costs no timer
 * per request).
 */
public final class ConnectionGuard implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final Supplier<Snapshot> snapshots;
  private final ConnectionCounts counts;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();

  public ConnectionGuard(Vertx vertx, Supplier<Snapshot> snapshots, ConnectionCounts counts) {
    this.vertx = vertx;
    this.snapshots = snapshots;
    this.counts = counts;
  }

  /** A connection was accepted: admitted and watched, or closed at once. */
  public void connected(HttpConnection conn) {
    ServerConfig.Connections limits = snapshots.get().config().server().connections();
    ServerConfig server = snapshots.get().config().server();
    String client = conn.remoteAddress() == null ? "-" : conn.remoteAddress().hostAddress();
    byte[] address = IpAddresses.parse(client);
    if (address != null && server.clients().trusted(address)) {
      // a trusted proxy carries many clients' connections: the per-client cap is not for it
      limits = new ServerConfig.Connections(limits.headerTimeout(), limits.keepAliveTimeout(), limits.bodyTimeout(),
          limits.max(), 0);
    }
    if (counts.admit(client, limits) != null) {
      conn.close();
      return;
    }
    Watch watch = new Watch(conn, client);
    watches.put(conn, watch);
    conn.closeHandler(v -> {
      if (watches.remove(conn) != null) {
        watch.closed();
      }
    });
    watch.waitFor(ConnectionCounts.Reason.HEADER_TIMEOUT, limits.headerTimeout().toNanos());
  }

  /** First handler of every request: its headers are in; the connection waits for its response. */
  @Override
  public void handle(RoutingContext ctx) {
    Watch watch = watches.get(ctx.request().connection());
    if (watch != null) {
      watch.requestStarted();
      ctx.addEndHandler(done -> watch.requestEnded(snapshots.get().config().server().connections().keepAliveTimeout().toNanos()));
    }
    ctx.next();
  }

  /** Connections this event loop watches now. */
  public int watched() {
    return watches.size();
  }

  private final class Watch {

    private final HttpConnection conn;
    private final String client;
    private int inFlight;
    /** What the connection waits for while no request is in flight; null while one is. */
    private ConnectionCounts.Reason waiting;
    private long deadline;
    private long timer = -1;
    private long timerAt;

    Watch(HttpConnection conn, String client) {
      this.conn = conn;
      this.client = client;
    }

    void waitFor(ConnectionCounts.Reason reason, long nanos) {
      waiting = reason;
      deadline = System.nanoTime() + nanos;
      if (timer >= 0 && timerAt - deadline > 1_000_000) {
        vertx.cancelTimer(timer); // the pending timer would fire too late for this deadline
        timer = -1;
      }
      if (timer < 0) {
        arm(nanos);
      }
    }

    void requestStarted() {
      inFlight++;
      waiting = null;
    }

    void requestEnded(long keepAliveNanos) {
      if (--inFlight == 0) {
        waitFor(ConnectionCounts.Reason.KEEP_ALIVE_TIMEOUT, keepAliveNanos);
      }
    }

    private void arm(long nanos) {
      timerAt = System.nanoTime() + nanos;
      timer = vertx.setTimer(Math.max(1, nanos / 1_000_000), id -> fire());
    }

    private void fire() {
      timer = -1;
      if (waiting == null) {
        return; // a request is in flight; its end sets a new deadline and a timer
      }
      long left = deadline - System.nanoTime();
      if (left > 1_000_000) {
        arm(left); // the deadline moved since this timer was set
        return;
      }
      counts.closed(waiting);
      conn.close();
    }

    void closed() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      counts.release(client);
    }
  }
}
