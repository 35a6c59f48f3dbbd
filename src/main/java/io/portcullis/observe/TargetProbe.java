package io.portcullis.observe;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ModelConfig;
import io.portcullis.config.ProviderConfig;
import io.portcullis.config.TargetConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether each model has a target it can reach: every provider's host and port is probed with a TCP
 * connect (no request, no key, no cost), and a model is reachable when one of its targets' providers
 * answered. A TCP connect proves the network path and a listener, not a healthy API; failover and
 * its metrics cover the rest.
 */
final class TargetProbe {

  private final NetClient client;

  TargetProbe(Vertx vertx, long timeoutMs) {
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) Math.min(timeoutMs, Integer.MAX_VALUE)));
  }

  /** Probes every provider of the config once; completes with reachability by model name. */
  Future<Map<String, Boolean>> probe(GatewayConfig config) {
    Map<String, Future<Boolean>> byProvider = new HashMap<>();
    for (ProviderConfig p : config.providers()) {
      byProvider.put(p.name(), reach(p.baseUrl()));
    }
    List<Future<Boolean>> all = new ArrayList<>(byProvider.values());
    return Future.join(all).otherwiseEmpty().map(v -> {
      Map<String, Boolean> models = new LinkedHashMap<>();
      for (ModelConfig m : config.models()) {
        boolean any = false;
        for (TargetConfig t : m.targets()) {
          Future<Boolean> f = byProvider.get(t.provider());
          any |= f != null && f.succeeded() && f.result();
        }
        models.put(m.name(), any);
      }
      return models;
    });
  }

  private Future<Boolean> reach(String baseUrl) {
    URI uri;
    try {
      uri = URI.create(baseUrl.replace("{model}", "m"));
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(false);
    }
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    if (uri.getHost() == null) {
      return Future.succeededFuture(false);
    }
    return client.connect(port, uri.getHost()).compose(socket -> socket.close().map(true)).otherwise(false);
  }

  Future<Void> close() {
    return client.close();
  }
}
