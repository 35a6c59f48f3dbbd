package io.portcullis.config;

import java.time.Duration;

/**
 * Upstream timeouts.
 *
 * @param connect to open the TCP (and TLS) connection
 * @param firstByte from sending the request to the first byte of the response body
 * @param idle longest silence between two chunks of a response
 * @param total the whole exchange, streaming included
 */
public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {}
