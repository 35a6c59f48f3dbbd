package io.portcullis.auth;

import io.portcullis.config.AuthConfig.KeyCacheConfig;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Redis key store seen through the process's {@link KeyCache}: a fresh entry answers without
 * Redis; otherwise Redis is asked, and when it does not answer a cached key is served for up to
 * {@code stale_if_error} past its freshness (an unknown key then gets 503, as without a cache).
 */
public final class CachingKeyStore implements KeyStore {

  private final KeyStore redis;
  private final KeyCache cache;
  private final Supplier<KeyCacheConfig> config;
  private final AuthMetrics metrics;

  public CachingKeyStore(KeyStore redis, KeyCache cache, Supplier<KeyCacheConfig> config, AuthMetrics metrics) {
    this.redis = redis;
    this.cache = cache;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<StoredKey> find(String id) {
    KeyCacheConfig c = config.get();
    long now = System.nanoTime();
    KeyCache.Entry entry = cache.get(id);
    long ttl = c.ttl().toNanos();
    if (entry != null && !entry.refresh() && now - entry.readAtNanos() < ttl) {
      metrics.keyCache("hit");
      return Future.succeededFuture(entry.key());
    }
    long usable = ttl + c.staleIfError().toNanos();
    return redis.find(id).map(key -> {
      metrics.keyCache("miss");
      if (key == null) {
        cache.invalidate(id);
      } else if (c.maxEntries() > 0) {
        cache.put(key, System.nanoTime(), usable, c.maxEntries());
      }
      return key;
    }).recover(err -> {
      if (entry != null && System.nanoTime() - entry.readAtNanos() < usable) {
        metrics.keyCache("stale");
        return Future.succeededFuture(entry.key());
      }
      metrics.keyCache("unavailable");
      return Future.failedFuture(err);
    });
  }

  @Override
  public Future<Void> put(StoredKey key) {
    cache.invalidate(key.id());
    return redis.put(key);
  }

  @Override
  public Future<List<StoredKey>> list() {
    return redis.list();
  }

  @Override
  public Future<Set<String>> blocked() {
    return redis.blocked();
  }

  @Override
  public Future<Void> block(String subject, boolean blocked) {
    return redis.block(subject, blocked);
  }
}
