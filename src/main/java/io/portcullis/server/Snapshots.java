package io.portcullis.server;

import io.portcullis.auth.Auth;
import io.portcullis.config.GatewayConfig;
import io.portcullis.forward.RouteTable;
import io.portcullis.ingress.Snapshot;
import io.portcullis.scrub.Scrubbers;

/** Builds the {@link Snapshot} of a validated config: each feature compiles its part into its own slot. */
final class Snapshots {

  private Snapshots() {}

  static Snapshot of(GatewayConfig config) {
    return Snapshot.builder(config)
        .with(RouteTable.SLOT, RouteTable.from(config))
        .with(Scrubbers.SLOT, Scrubbers.of(config.scrub()))
        .with(Auth.SLOT, Auth.of(config.auth()))
        .build();
  }
}
