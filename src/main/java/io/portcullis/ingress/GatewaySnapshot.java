package io.portcullis.ingress;

import io.portcullis.config.GatewayConfig;
import io.portcullis.forward.RouteTable;
import io.portcullis.scrub.Scrubber;

/**
 * Everything a request needs from configuration, built from one validated config. A request takes
 * the snapshot current when it arrives and keeps it to the end, so a reload never changes a
 * request half-way. {@code scrubber} is null when redaction is off.
 */
public record GatewaySnapshot(GatewayConfig config, RouteTable routes, Scrubber scrubber) {

  public static GatewaySnapshot of(GatewayConfig config) {
    Scrubber scrubber = config.scrub().enabled() ? Scrubber.of(config.scrub()) : null;
    return new GatewaySnapshot(config, RouteTable.from(config), scrubber);
  }
}
