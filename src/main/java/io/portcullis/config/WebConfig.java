package io.portcullis.config;

/**
 * The chat page the gateway can serve at {@code /chat/} on its main listener: a reference browser
 * client that talks only to this gateway, with the caller's own key.
 *
 * @param enabled serve it (off unless the config says so)
 */
public record WebConfig(boolean enabled) {}
