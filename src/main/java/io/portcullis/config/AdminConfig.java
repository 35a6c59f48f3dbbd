package io.portcullis.config;

/** The admin server: health and readiness (and metrics, later), on a port of its own. */
public record AdminConfig(boolean enabled, String host, int port) {}
