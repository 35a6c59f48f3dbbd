package io.portcullis.forward;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ModelConfig;
import io.portcullis.config.ProviderConfig;
import io.portcullis.config.TargetConfig;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Slot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Model names to routes, built once per config snapshot. */
public final class RouteTable {

  /** Where a snapshot keeps it. */
  public static final Slot<RouteTable> SLOT = Slot.named("routes");

  private final Map<String, ModelRoute> routes;

  private RouteTable(Map<String, ModelRoute> routes) {
    this.routes = routes;
  }

  /** Builds the table from a validated config (every target names an existing provider). */
  public static RouteTable from(GatewayConfig config) {
    Map<String, Provider> providers = new LinkedHashMap<>();
    for (ProviderConfig p : config.providers()) {
      providers.put(p.name(), new Provider(p));
    }
    Map<String, ModelRoute> routes = new LinkedHashMap<>();
    for (ModelConfig m : config.models()) {
      List<Target> targets = new ArrayList<>();
      for (TargetConfig t : m.targets()) {
        targets.add(Target.of(providers.get(t.provider()), t.model()));
      }
      Set<Endpoint> endpoints = EnumSet.noneOf(Endpoint.class);
      m.endpoints().forEach(name -> endpoints.add(Endpoint.named(name)));
      routes.put(m.name(), new ModelRoute(m.name(), targets, endpoints));
    }
    return new RouteTable(Collections.unmodifiableMap(routes));
  }

  /** The route for a model name, or null. */
  public ModelRoute route(String model) {
    return routes.get(model);
  }

  public Collection<ModelRoute> routes() {
    return routes.values();
  }
}
