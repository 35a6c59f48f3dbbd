package io.portcullis.forward;

import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Slot;
import java.util.List;

/** A client-facing model name and its targets, in the order they are tried. */
public record ModelRoute(String name, List<Target> targets) {

  /** Where an exchange keeps the route its model resolved to. */
  public static final Slot<ModelRoute> SLOT = Slot.named("route");

  public ModelRoute {
    targets = List.copyOf(targets);
  }

  /** The targets able to serve an endpoint, in order. */
  public List<Target> targetsFor(Endpoint endpoint) {
    return targets.stream().filter(t -> t.provider().serves(endpoint)).toList();
  }
}
