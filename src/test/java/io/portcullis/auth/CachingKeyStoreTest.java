package io.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.RedisServer;
import io.portcullis.config.AuthConfig.KeyCacheConfig;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-process cache of keys kept in Redis, against a real redis-server that is frozen at will. */
class CachingKeyStoreTest {

  static RedisServer server;
  static Vertx vertx;
  static RedisKeyStore redis;
  static SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static AuthMetrics metrics = new AuthMetrics(registry);

  @BeforeAll
  static void start() throws Exception {
    server = new RedisServer();
    vertx = Vertx.vertx();
    redis = new RedisKeyStore(RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()))),
        Duration.ofMillis(300));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static StoredKey key(String id, boolean revoked) {
    return new StoredKey(id, "hash-" + id, "user-" + id, null, List.of("chat"), Instant.now(), null, null, revoked);
  }

  static double count(String outcome) {
    var c = registry.find("portcullis.key.cache.lookups").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void freshEntriesAnswerWithoutRedisAndChangesAreReadAgain() throws Exception {
    KeyCache cache = new KeyCache();
    AtomicReference<KeyCacheConfig> config = new AtomicReference<>(new KeyCacheConfig(Duration.ofMinutes(1), 100, Duration.ofMinutes(1)));
    CachingKeyStore store = new CachingKeyStore(redis, cache, config::get, metrics);
    await(redis.put(key("aaaa00000001", false)));
    double miss = count("miss");
    double hit = count("hit");
    assertThat(await(store.find("aaaa00000001")).revoked()).isFalse();
    assertThat(await(store.find("aaaa00000001")).revoked()).isFalse();
    assertThat(count("miss") - miss).isEqualTo(1);
    assertThat(count("hit") - hit).isEqualTo(1);
    // a change written behind the cache's back is not seen while the entry is fresh ...
    assertThat(server.command("HSET pc:key:{aaaa00000001} revoked 1")).isEqualTo(":0");
    assertThat(await(store.find("aaaa00000001")).revoked()).isFalse();
    // ... the push of the change (or a missed feed) makes the next lookup read it
    cache.invalidate("aaaa00000001");
    assertThat(await(store.find("aaaa00000001")).revoked()).isTrue();
    server.command("HSET pc:key:{aaaa00000001} revoked 0");
    cache.refreshAll();
    assertThat(await(store.find("aaaa00000001")).revoked()).isFalse();
    // a key that is gone leaves the cache; an unknown id is never cached
    server.command("DEL pc:key:{aaaa00000001}");
    cache.invalidate("aaaa00000001");
    assertThat(await(store.find("aaaa00000001"))).isNull();
    assertThat(cache.size()).isZero();
    // writes through the store drop the cached entry
    await(store.put(key("aaaa00000002", false)));
    await(store.find("aaaa00000002"));
    await(store.put(key("aaaa00000002", true)));
    assertThat(await(store.find("aaaa00000002")).revoked()).isTrue();
  }

  @Test
  void whileRedisDoesNotAnswerCachedKeysServeForStaleIfErrorAndUnknownKeysFail() throws Exception {
    KeyCache cache = new KeyCache();
    CachingKeyStore store = new CachingKeyStore(redis, cache,
        () -> new KeyCacheConfig(Duration.ofMillis(200), 100, Duration.ofMillis(1500)), metrics);
    await(redis.put(key("bbbb00000001", false)));
    await(store.find("bbbb00000001"));
    long read = System.nanoTime();
    server.pause();
    try {
      double stale = count("stale");
      Thread.sleep(300); // past the ttl: the store asks Redis, which does not answer, and serves the cached key
      assertThat(await(store.find("bbbb00000001")).user()).isEqualTo("user-bbbb00000001");
      assertThat(count("stale") - stale).isEqualTo(1);
      assertThatThrownBy(() -> await(store.find("bbbb00000099"))).hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class);
      // past ttl + stale_if_error after it was read, the cached key is not used any more
      while (System.nanoTime() - read < 1_800_000_000L) {
        Thread.sleep(50);
      }
      double unavailable = count("unavailable");
      assertThatThrownBy(() -> await(store.find("bbbb00000001"))).isNotNull();
      assertThat(count("unavailable") - unavailable).isEqualTo(1);
    } finally {
      server.resume();
    }
    assertThat(await(store.find("bbbb00000001")).user()).isEqualTo("user-bbbb00000001");
  }

  @Test
  void theCacheHoldsAtMostMaxEntriesAndZeroTurnsItOff() throws Exception {
    KeyCache cache = new KeyCache();
    CachingKeyStore store = new CachingKeyStore(redis, cache, () -> new KeyCacheConfig(Duration.ofMinutes(1), 3, Duration.ZERO), metrics);
    for (int i = 0; i < 6; i++) {
      String id = "cccc0000000" + i;
      await(redis.put(key(id, false)));
      assertThat(await(store.find(id)).id()).isEqualTo(id);
    }
    assertThat(cache.size()).isEqualTo(3);
    KeyCache off = new KeyCache();
    CachingKeyStore uncached = new CachingKeyStore(redis, off, () -> new KeyCacheConfig(Duration.ofMinutes(1), 0, Duration.ZERO), metrics);
    assertThat(await(uncached.find("cccc00000001")).id()).isEqualTo("cccc00000001");
    assertThat(off.size()).isZero();
  }
}
