package io.portcullis.config;

/**
 * How the gateway talks to providers.
 *
 * @param poolSize connections per upstream host and event loop; each open stream holds one
 * @param maxResponseBytes largest non-streaming upstream response forwarded (502 beyond it)
 */
public record UpstreamConfig(int poolSize, long maxResponseBytes) {}
