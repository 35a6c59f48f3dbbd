package io.portcullis.forward;

import io.portcullis.ingress.Endpoint;
import java.util.EnumMap;
import java.util.Map;

/**
 * One way to serve a model: a provider and the upstream model name to ask it for, with the
 * upstream URL of each endpoint the provider serves worked out in advance.
 */
public record Target(Provider provider, String model, Map<Endpoint, UpstreamUrl> urls) {

  static Target of(Provider provider, String model) {
    Map<Endpoint, UpstreamUrl> urls = new EnumMap<>(Endpoint.class);
    for (Endpoint e : Endpoint.values()) {
      if (provider.serves(e)) {
        urls.put(e, UpstreamUrl.parse(provider.url(e, model)));
      }
    }
    return new Target(provider, model, Map.copyOf(urls));
  }

  UpstreamUrl url(Endpoint endpoint) {
    return urls.get(endpoint);
  }
}
