package io.portcullis.auth;

import io.portcullis.config.AuthConfig.RoleConfig;
import io.portcullis.config.AuthConfig;
import io.portcullis.config.EndpointNames;
import io.portcullis.config.Glob;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.Principal;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What each role may use, compiled once per config: model names and glob patterns, endpoints, and
 * the limit policy. A caller may use what any of its roles allows.
 */
public final class AccessPolicy {

  private record Role(List<Pattern> models, Set<String> endpoints, String limit) {}

  private final boolean enabled;
  /** In the config's order: that order decides which role's limit applies (see {@link #limit}). */
  private final Map<String, Role> roles = new LinkedHashMap<>();
  private final Set<String> defaultRoles;

  public AccessPolicy(AuthConfig config) {
    this.enabled = config.enabled();
    for (RoleConfig r : config.roles()) {
      roles.put(r.name(), new Role(r.models().stream().map(AccessPolicy::glob).toList(), Set.copyOf(r.endpoints()), r.limit()));
    }
    this.defaultRoles = Set.copyOf(config.defaultRoles());
  }

  static Pattern glob(String glob) {
    return Glob.compile(glob);
  }

  /** The roles a credential names that this config knows; the default roles when it names none. */
  public Set<String> roles(List<String> named) {
    if (named.isEmpty()) {
      return defaultRoles; // made once: this is every request's path when auth is off
    }
    Set<String> out = new LinkedHashSet<>();
    for (String r : named) {
      if (roles.containsKey(r)) {
        out.add(r);
      }
    }
    return out.isEmpty() ? defaultRoles : out;
  }

  /** The config name of an endpoint; {@code models} for the model list. */
  public static String endpointName(Endpoint endpoint) {
    return endpoint == null ? EndpointNames.MODELS : endpoint.configName();
  }

  public boolean mayCall(Principal p, String endpoint) {
    if (!enabled) {
      return true;
    }
    for (String name : p.roles()) {
      Role r = roles.get(name);
      if (r != null && r.endpoints().contains(endpoint)) {
        return true;
      }
    }
    return false;
  }

  public boolean mayUse(Principal p, String model) {
    if (!enabled) {
      return true;
    }
    for (String name : p.roles()) {
      Role r = roles.get(name);
      if (r != null) {
        for (Pattern m : r.models()) {
          if (m.matcher(model).matches()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * The limit policy of the first role, in the config's order, that the caller has and that names
   * one; null if none. (The config's order, not the caller's set: every instance must pick the same.)
   */
  public String limit(Principal p) {
    for (Map.Entry<String, Role> e : roles.entrySet()) {
      if (e.getValue().limit() != null && p.roles().contains(e.getKey())) {
        return e.getValue().limit();
      }
    }
    return null;
  }
}
