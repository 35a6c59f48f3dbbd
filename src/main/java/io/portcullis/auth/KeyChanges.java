package io.portcullis.auth;

import io.portcullis.config.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push that keeps every process's {@link KeyCache} true: whoever changes a key in Redis
 * publishes its id on {@value RedisKeyStore#CHANGES} ({@link RedisKeyStore#put}), and each gateway
 * process listens on its own connection and drops that key from its cache at once. When the
 * connection breaks it is made again every second (trying each configured node in turn, so a Redis
 * Cluster's surviving nodes serve); each (re)subscription marks every cached key to be read again,
 * since changes published meanwhile were missed.
 */
public final class KeyChanges {

  private static final Logger LOG = LoggerFactory.getLogger(KeyChanges.class);

  private final Vertx vertx;
  private final List<String> nodes;
  private final KeyCache cache;
  /** Told when the blocked users and teams changed, or may have (a resubscription). */
  private final Runnable blocksChanged;
  private Redis client;
  private RedisConnection connection;
  private int next;
  private boolean retrying;
  private volatile boolean stopped;
  private volatile boolean subscribed;

  public KeyChanges(Vertx vertx, RedisConfig config, KeyCache cache) {
    this(vertx, config, cache, () -> { });
  }

  public KeyChanges(Vertx vertx, RedisConfig config, KeyCache cache, Runnable blocksChanged) {
    this.blocksChanged = blocksChanged;
    this.vertx = vertx;
    this.nodes = config.cluster().isEmpty() ? List.of(config.url()) : config.cluster();
    this.cache = cache;
  }

  public void start() {
    vertx.runOnContext(v -> connect());
  }

  /** Whether the feed is live now (tests and readiness detail). */
  public boolean subscribed() {
    return subscribed;
  }

  private void connect() {
    if (stopped) {
      return;
    }
    String node = nodes.get(next++ % nodes.size());
    if (client != null) {
      client.close();
    }
    client = Redis.createClient(vertx, new RedisOptions().setType(RedisClientType.STANDALONE).setConnectionString(node));
    client.connect().onSuccess(c -> {
      connection = c;
      c.handler(this::message);
      c.exceptionHandler(e -> lost());
      c.endHandler(v -> lost());
      c.send(Request.cmd(Command.SUBSCRIBE).arg(RedisKeyStore.CHANGES)).onSuccess(r -> {
        if (!subscribed) {
          LOG.info("key change feed subscribed (Redis {})", node.replaceAll("//[^@/]*@", "//***@"));
        }
        subscribed = true;
        cache.refreshAll(); // whatever changed while the feed was down is read again at its next use
        blocksChanged.run();
      }).onFailure(e -> lost());
    }).onFailure(e -> lost());
  }

  private void message(Response r) {
    // RESP2: ["message", channel, payload]; RESP3 push frames read the same way
    if (r != null && r.size() >= 3 && "message".equalsIgnoreCase(r.get(0).toString())
        && RedisKeyStore.CHANGES.equals(r.get(1).toString())) {
      String changed = r.get(2).toString();
      if (RedisKeyStore.BLOCKS_CHANGED.equals(changed)) {
        blocksChanged.run();
      } else {
        cache.invalidate(changed);
      }
    }
  }

  private void lost() {
    if (subscribed) {
      LOG.warn("key change feed lost; cached keys are read again from Redis at their next use once it is back");
    }
    subscribed = false;
    if (stopped || retrying) {
      return;
    }
    retrying = true;
    vertx.setTimer(1000, t -> {
      retrying = false;
      connect();
    });
  }

  public void stop() {
    stopped = true;
    vertx.runOnContext(v -> {
      if (client != null) {
        client.close();
      }
    });
  }
}
