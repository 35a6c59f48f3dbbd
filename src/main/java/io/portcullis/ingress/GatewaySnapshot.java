package io.portcullis.ingress;

import io.portcullis.config.GatewayConfig;
import io.portcullis.forward.RouteTable;
import io.portcullis.scrub.Scrubber;

/**
 * Everything a request needs from configuration, built from one validated config. A request takes
 * the snapshot current when it arrives and keeps it to the end, so a reload never changes a
 * request half-way. {@code scrubber} (responses) is null when redaction is off;
 * {@code requestScrubber} is null when no rule applies to request bodies.
 */
public record GatewaySnapshot(GatewayConfig config, RouteTable routes, Scrubber scrubber, Scrubber requestScrubber,
    io.portcullis.auth.Auth auth) {

  public static GatewaySnapshot of(GatewayConfig config) {
    boolean on = config.scrub().enabled();
    return new GatewaySnapshot(config, RouteTable.from(config), on ? Scrubber.of(config.scrub()) : null,
        on ? Scrubber.forRequests(config.scrub()) : null, io.portcullis.auth.Auth.of(config.auth()));
  }
}
