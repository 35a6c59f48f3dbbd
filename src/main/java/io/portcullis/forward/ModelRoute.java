package io.portcullis.forward;

import java.util.List;

/** A client-facing model name and its targets, in the order they are tried. */
public record ModelRoute(String name, List<Target> targets) {

  public ModelRoute {
    targets = List.copyOf(targets);
  }

  /** The targets able to serve an endpoint, in order. */
  public List<Target> targetsFor(Endpoint endpoint) {
    return targets.stream().filter(t -> t.provider().serves(endpoint)).toList();
  }
}
