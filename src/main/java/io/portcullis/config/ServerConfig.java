package io.portcullis.config;

import java.time.Duration;

/**
 * The client-facing HTTP server.
 *
 * @param instances gateway verticles, one per event loop; 0 means one per core
 * @param maxBodyBytes largest request body accepted; larger ones get 413 while being read
 * @param readinessDelay on shutdown, how long /readyz fails before the listener stops, so a load
 *     balancer can take the instance out of rotation first
 * @param drainTimeout how long in-flight requests and streams may run on after that
 * @param tls HTTPS
 * @param connections how long a connection may take to say what it wants, and how many may be open
 * @param h2c HTTP/2 over cleartext (prior knowledge or an Upgrade from HTTP/1.1); off by default: with
 *     it on, the HTTP server sees a plain connection only once its first request's headers are
 *     complete, so the header timeout and the connection caps cannot act before that
 * @param clients who the client is behind proxies: trusted proxies, their header, the PROXY protocol
 * @param warmup the pass through the real pipeline an instance makes before it reports ready
 */
public record ServerConfig(
    String host,
    int port,
    int instances,
    long maxBodyBytes,
    Duration readinessDelay,
    Duration drainTimeout,
    TlsConfig tls,
    Connections connections,
    boolean h2c,
    ClientAddressConfig clients,
    Warmup warmup) {

  /**
   * Before it reports ready, the instance sends requests through its own listener and the whole
   * pipeline (guards, limits, redaction, relaying, streams of both formats, embeddings) to a private
   * loopback mock provider, for at most {@code duration}: the JIT compiles the hot paths, and the
   * Redis and upstream connections open, before any real client is served.
   *
   * @param concurrency requests in flight at once during the pass
   */
  public record Warmup(boolean enabled, Duration duration, int concurrency) {

    public static final Warmup DEFAULTS = new Warmup(true, Duration.ofSeconds(3), 16);
    public static final Warmup OFF = new Warmup(false, Duration.ofSeconds(3), 16);
  }

  /** The same listener with other trusted proxies. */
  public ServerConfig withClients(ClientAddressConfig c) {
    return new ServerConfig(host, port, instances, maxBodyBytes, readinessDelay, drainTimeout, tls, connections, h2c, c, warmup);
  }

  /** The same listener with another warm-up. */
  public ServerConfig withWarmup(Warmup w) {
    return new ServerConfig(host, port, instances, maxBodyBytes, readinessDelay, drainTimeout, tls, connections, h2c,
        clients, w);
  }

  /**
   * Defences against clients that hold connections open without using them (slow or idle clients):
   * each timeout closes the connection, each cap refuses it at once; every close is counted by reason.
   *
   * @param headerTimeout from accepting a connection (TLS handshake included) until the first request's
   *     headers have arrived in full
   * @param keepAliveTimeout from the end of a response until the next request's headers have arrived
   *     in full; longer than a load balancer's idle timeout, so that it is always the balancer that
   *     closes an idle pooled connection
   * @param bodyTimeout for the whole request body to arrive, from the end of its headers (slow uploads)
   * @param max open client connections per process; 0 for no cap
   * @param maxPerClient open connections per client address per process; 0 for no cap
   */
  public record Connections(Duration headerTimeout, Duration keepAliveTimeout, Duration bodyTimeout, int max,
      int maxPerClient) {

    public static final Connections DEFAULTS = new Connections(Duration.ofSeconds(10), Duration.ofSeconds(75),
        Duration.ofSeconds(30), 10_000, 1_000);
  }
}
