package io.portcullis.config;

import java.util.List;
import java.util.Optional;

/** The whole validated configuration. Immutable: a reload builds a new one. */
public record GatewayConfig(
    ServerConfig server,
    AdminConfig admin,
    UpstreamConfig upstream,
    StreamConfig stream,
    MockConfig mock,
    ScrubConfig scrub,
    AuthConfig auth,
    LimitsConfig limits,
    RedisConfig redis,
    ObserveConfig observe,
    GuardConfig guards,
    WebConfig web,
    PriceTable prices,
    List<ProviderConfig> providers,
    List<ModelConfig> models) {

  public GatewayConfig {
    providers = List.copyOf(providers);
    models = List.copyOf(models);
  }

  /** The same config with another server section. */
  public GatewayConfig withServer(ServerConfig s) {
    return new GatewayConfig(s, admin, upstream, stream, mock, scrub, auth, limits, redis, observe, guards, web, prices, providers, models);
  }

  public Optional<ProviderConfig> provider(String name) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The upstream model names a client model's targets ask for (empty for an unknown model). */
  public List<String> upstreamModels(String model) {
    for (ModelConfig m : models) {
      if (m.name().equals(model)) {
        return m.targets().stream().map(TargetConfig::model).toList();
      }
    }
    return List.of();
  }
}
