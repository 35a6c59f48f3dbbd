package io.portcullis.ingress;

import io.portcullis.config.GatewayConfig;

/**
 * Everything a request needs from configuration, built from one validated config: the config
 * itself and what each feature compiled from it (routes, key tables, rule sets), each in the
 * feature's own {@link Slot}. A request takes the snapshot current when it arrives and keeps it to
 * the end, so a reload never changes a request half-way.
 */
public final class Snapshot {

  private final GatewayConfig config;
  private final Slot.Values parts;

  private Snapshot(GatewayConfig config, Slot.Values parts) {
    this.config = config;
    this.parts = parts;
  }

  public GatewayConfig config() {
    return config;
  }

  /** What a feature compiled from this config, or null when it put nothing there. */
  public <T> T get(Slot<T> slot) {
    return parts.get(slot);
  }

  public static Builder builder(GatewayConfig config) {
    return new Builder(config);
  }

  /** Collects the features' parts; the snapshot is immutable once built. */
  public static final class Builder {

    private final GatewayConfig config;
    private final Slot.Values parts = new Slot.Values();
    private boolean built;

    private Builder(GatewayConfig config) {
      this.config = config;
    }

    public <T> Builder with(Slot<T> slot, T part) {
      if (built) {
        throw new IllegalStateException("snapshot already built");
      }
      parts.put(slot, part);
      return this;
    }

    public Snapshot build() {
      built = true;
      return new Snapshot(config, parts);
    }
  }
}
