package io.portcullis.config;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/** The Redis client options for the configured server or cluster. */
public final class RedisClients {

  private RedisClients() {}

  public static RedisOptions options(RedisConfig config) {
    // enough connections per event loop that a call waits for Redis, not for a connection, and a
    // queue that never refuses (the defaults refuse past 24 waiting, which under load turned into
    // fallback decisions)
    RedisOptions options = new RedisOptions().setMaxPoolSize(32).setMaxPoolWaiting(100_000).setMaxWaitingHandlers(100_000);
    if (config.cluster().isEmpty()) {
      return options.setType(RedisClientType.STANDALONE).setConnectionString(config.url());
    }
    // the slot map is read again every second (and on MOVED): after a master fails over, decisions
    // come back to Redis within about a second of the replica taking over (RedisClusterFailoverTest)
    options.setType(RedisClientType.CLUSTER).setHashSlotCacheTTL(1000);
    config.cluster().forEach(options::addConnectionString);
    return options;
  }
}
