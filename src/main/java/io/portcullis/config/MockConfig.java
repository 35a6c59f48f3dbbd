package io.portcullis.config;

import java.time.Duration;

/**
 * The built-in mock provider, started beside the gateway so it runs offline.
 *
 * @param tokensPerSecond streaming pace of generated tokens (0 = as fast as possible)
 * @param tokens tokens generated per completion unless the request says otherwise
 * @param firstByteDelay wait before the first byte of every response
 */
public record MockConfig(
    boolean enabled, String host, int port, double tokensPerSecond, int tokens, Duration firstByteDelay) {}
