package io.portcullis.forward;

import io.portcullis.ingress.Endpoint;
import java.util.EnumMap;
import java.util.Map;

/**
 * One way to serve a model: a provider and the upstream model name to ask it for, with the
 * upstream URLs of each endpoint the provider serves (for whole answers and for streams, which
 * some formats ask for elsewhere) worked out in advance.
 */
public record Target(Provider provider, String model, Map<Endpoint, UpstreamUrl> urls, Map<Endpoint, UpstreamUrl> streamUrls) {

  static Target of(Provider provider, String model) {
    Map<Endpoint, UpstreamUrl> urls = new EnumMap<>(Endpoint.class);
    Map<Endpoint, UpstreamUrl> streamUrls = new EnumMap<>(Endpoint.class);
    for (Endpoint e : Endpoint.values()) {
      if (provider.serves(e)) {
        urls.put(e, UpstreamUrl.parse(provider.url(e, model, false)));
        streamUrls.put(e, UpstreamUrl.parse(provider.url(e, model, true)));
      }
    }
    return new Target(provider, model, Map.copyOf(urls), Map.copyOf(streamUrls));
  }

  UpstreamUrl url(Endpoint endpoint) {
    return urls.get(endpoint);
  }

  UpstreamUrl url(Endpoint endpoint, boolean stream) {
    return (stream ? streamUrls : urls).get(endpoint);
  }
}
