package io.portcullis.forward;

import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Slot;
import java.util.List;
import java.util.Set;

/** A client-facing model name, its targets in the order they are tried, and the endpoints it is offered on. */
public record ModelRoute(String name, List<Target> targets, Set<Endpoint> endpoints) {

  /** Where an exchange keeps the route its model resolved to. */
  public static final Slot<ModelRoute> SLOT = Slot.named("route");

  public ModelRoute {
    targets = List.copyOf(targets);
    endpoints = Set.copyOf(endpoints);
  }

  /** Whether the model is offered on this endpoint (a chat model is not on embeddings, nor the reverse). */
  public boolean offeredOn(Endpoint endpoint) {
    return endpoints.contains(endpoint);
  }

  /** The targets able to serve an endpoint, in order. */
  public List<Target> targetsFor(Endpoint endpoint) {
    return targets.stream().filter(t -> t.provider().serves(endpoint)).toList();
  }
}
