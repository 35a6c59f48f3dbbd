package io.portcullis.config;

import java.time.Duration;
import java.util.List;

/**
 * The shared Redis (API keys and the rate limiter): one server, or a Redis Cluster.
 *
 * @param url {@code redis://[:password@]host:port[/db]} of a single server, or null
 * @param cluster seed nodes of a Redis Cluster (every key the gateway writes carries a hash tag,
 *     so each decision touches one slot); empty when {@code url} is used
 * @param timeout the deadline of one Redis call
 */
public record RedisConfig(String url, List<String> cluster, Duration timeout) {

  public RedisConfig {
    cluster = List.copyOf(cluster);
  }

  public boolean enabled() {
    return url != null || !cluster.isEmpty();
  }
}
