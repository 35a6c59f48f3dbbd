package io.portcullis.config;

import java.time.Duration;

/**
 * SSE relaying.
 *
 * @param maxEventBytes largest single SSE event accepted from upstream; a larger one ends the stream
 * @param heartbeatInterval a comment line is sent to the client when nothing was written for this long
 */
public record StreamConfig(int maxEventBytes, Duration heartbeatInterval) {}
