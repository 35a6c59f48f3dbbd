package io.portcullis.ingress;

import io.portcullis.config.GatewayConfig;
import io.portcullis.forward.RouteTable;

/**
 * Everything a request needs from configuration, built from one validated config. A request takes
 * the snapshot current when it arrives and keeps it to the end, so a reload never changes a
 * request half-way.
 */
public record GatewaySnapshot(GatewayConfig config, RouteTable routes) {

  public static GatewaySnapshot of(GatewayConfig config) {
    return new GatewaySnapshot(config, RouteTable.from(config));
  }
}
