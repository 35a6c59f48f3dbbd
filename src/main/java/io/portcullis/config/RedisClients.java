package io.portcullis.config;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;

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

  /** A hash reply (HGETALL) as a map, whether Redis spoke RESP3 (a map) or RESP2 (field, value, ...). */
  public static Map<String, String> hash(Response r) {
    Map<String, String> out = new HashMap<>();
    if (r == null) {
      return out;
    }
    if (r.getKeys() != null && !r.getKeys().isEmpty()) {
      for (String k : r.getKeys()) {
        out.put(k, r.get(k).toString());
      }
    } else {
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.put(r.get(i).toString(), r.get(i + 1).toString());
      }
    }
    return out;
  }
}
