package io.portcullis.forward;

import io.portcullis.format.Translation;
import io.portcullis.format.UpstreamFormat;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Slot;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client-facing model name, its targets in the order they are tried, and the endpoints it is
 * offered on. For each endpoint, which targets can serve it, in which format each is asked and the
 * translation that leads there are worked out once, when the route table is built.
 */
public final class ModelRoute {

  /** Where an exchange keeps the route its model resolved to. */
  public static final Slot<ModelRoute> SLOT = Slot.named("route");

  private final String name;
  private final List<Target> targets;
  private final Set<Endpoint> endpoints;
  private final Map<Endpoint, List<TargetRequest>> plans;

  ModelRoute(String name, List<Target> targets, Set<Endpoint> endpoints) {
    this.name = name;
    this.targets = List.copyOf(targets);
    this.endpoints = Set.copyOf(endpoints);
    this.plans = plans(this.targets);
  }

  public String name() {
    return name;
  }

  /** Every target, in the order they are tried. */
  public List<Target> targets() {
    return targets;
  }

  /** The endpoints the model is offered on. */
  public Set<Endpoint> endpoints() {
    return endpoints;
  }

  /** Per endpoint, its targets with their format and translation, the request not yet in it (null). */
  private static Map<Endpoint, List<TargetRequest>> plans(List<Target> targets) {
    Map<Endpoint, List<TargetRequest>> plans = new EnumMap<>(Endpoint.class);
    for (Endpoint e : Endpoint.values()) {
      List<TargetRequest> serving = new ArrayList<>();
      for (Target t : targets) {
        UpstreamFormat format = t.provider().askedIn(e);
        if (format != null) {
          serving.add(new TargetRequest(t, format, Translation.between(e.format(), format), null));
        }
      }
      plans.put(e, List.copyOf(serving));
    }
    return plans; // an EnumMap: looked up per request
  }

  /** Whether the model is offered on this endpoint (a chat model is not on embeddings, nor the reverse). */
  public boolean offeredOn(Endpoint endpoint) {
    return endpoints.contains(endpoint);
  }

  /** The targets able to serve an endpoint, in order, with the format each is asked in (no request in them yet). */
  List<TargetRequest> plansFor(Endpoint endpoint) {
    return plans.get(endpoint);
  }

  /** Whether some target can serve the endpoint. */
  public boolean servedOn(Endpoint endpoint) {
    return !plans.get(endpoint).isEmpty();
  }
}
