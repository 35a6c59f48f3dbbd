package io.portcullis.config;

import java.nio.file.Path;

/**
 * How the gateway talks to providers.
 *
 * @param poolSize connections per upstream host and event loop; each open stream holds one
 * @param maxResponseBytes largest non-streaming upstream response forwarded (502 beyond it)
 * @param trustFile CAs trusted for providers' certificates besides the JVM's (PEM or PKCS#12), or
 *     null; provider certificates and host names are always verified
 * @param trustPassword the password of a PKCS#12 {@code trustFile}
 */
public record UpstreamConfig(int poolSize, long maxResponseBytes, Path trustFile, Secret trustPassword) {}
