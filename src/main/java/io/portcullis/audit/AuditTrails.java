package io.portcullis.audit;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RedisClients;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

/** The audit trail a config names: the Redis stream when Redis is configured, else the file. */
public final class AuditTrails {

  private AuditTrails() {}

  /**
   * @param fileOnWorker file accesses run on Vert.x workers (the gateway); false: on the calling
   *     thread (the CLI, which waits anyway)
   */
  public static AuditTrail open(Vertx vertx, GatewayConfig c, boolean fileOnWorker) {
    if (c.redis().enabled()) {
      Redis client = Redis.createClient(vertx, RedisClients.options(c.redis()));
      return new RedisAuditTrail(RedisAPI.api(client), c.admin().audit().maxEntries(), c.admin().audit().maxAge(),
          c.redis().timeout(), client::close);
    }
    return new FileAuditTrail(fileOnWorker ? vertx : null, c.admin().audit().file());
  }
}
