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
 */
public record ServerConfig(
    String host,
    int port,
    int instances,
    long maxBodyBytes,
    Duration readinessDelay,
    Duration drainTimeout,
    TlsConfig tls) {}
