package io.portcullis.auth;

import io.portcullis.config.RedisClients;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * API keys in the shared Redis, one hash per key at {@code pc:key:{<id>}} (the id is the hash tag,
 * so a lookup touches one slot of a cluster). Every write also publishes the key's id on
 * {@value #CHANGES}, which the gateways' caches listen to ({@link KeyChanges}); nothing is cached here.
 */
public final class RedisKeyStore implements KeyStore {

  static final String PREFIX = "pc:key:";
  /** The channel on which every change of a key is announced (its id). */
  public static final String CHANGES = "pc:keys:changed";
  /** The set of blocked users and teams ({@code user:<name>}, {@code team:<name>}). */
  static final String BLOCKED = "pc:blocked";
  /** Announced on {@link #CHANGES} when the blocked set changed (never a key id: ids are letters and digits). */
  public static final String BLOCKS_CHANGED = "!blocked";

  private final RedisAPI redis;
  private final Duration timeout;

  public RedisKeyStore(RedisAPI redis, Duration timeout) {
    this.redis = redis;
    this.timeout = timeout;
  }

  static String key(String id) {
    return PREFIX + "{" + id + "}";
  }

  @Override
  public Future<StoredKey> find(String id) {
    return redis.hgetall(key(id)).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).map(r -> decode(id, RedisClients.hash(r)));
  }

  @Override
  public Future<Void> put(StoredKey k) {
    List<String> args = new ArrayList<>(List.of(key(k.id()), "hash", k.hash(), "user", k.user(),
        "roles", String.join(",", k.roles()), "revoked", k.revoked() ? "1" : "0"));
    if (k.team() != null) {
      args.addAll(List.of("team", k.team()));
    }
    if (k.created() != null) {
      args.addAll(List.of("created", k.created().toString()));
    }
    if (k.expires() != null) {
      args.addAll(List.of("expires", k.expires().toString()));
    }
    if (k.retires() != null) {
      args.addAll(List.of("retires", k.retires().toString()));
    }
    // fields a change cleared (an expiry lifted) are deleted after the new values are written: a
    // reader in between sees the old, stricter value, never a key without its limits
    List<String> cleared = new ArrayList<>(List.of(key(k.id())));
    if (k.team() == null) {
      cleared.add("team");
    }
    if (k.expires() == null) {
      cleared.add("expires");
    }
    if (k.retires() == null) {
      cleared.add("retires");
    }
    return redis.hset(args).compose(r -> cleared.size() == 1 ? Future.succeededFuture() : redis.hdel(cleared))
        .compose(r -> redis.publish(CHANGES, k.id()))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).mapEmpty();
  }

  @Override
  public Future<List<StoredKey>> list() {
    return scan("0", new ArrayList<>());
  }

  @Override
  public Future<Set<String>> blocked() {
    return redis.smembers(BLOCKED).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).map(r -> {
      Set<String> out = new HashSet<>();
      if (r != null) {
        r.forEach(m -> out.add(m.toString()));
      }
      return out;
    });
  }

  @Override
  public Future<Void> block(String subject, boolean blocked) {
    Future<Response> change = blocked ? redis.sadd(List.of(BLOCKED, subject)) : redis.srem(List.of(BLOCKED, subject));
    return change.compose(r -> redis.publish(CHANGES, BLOCKS_CHANGED))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).mapEmpty();
  }

  private Future<List<StoredKey>> scan(String cursor, List<StoredKey> out) {
    return redis.scan(List.of(cursor, "MATCH", PREFIX + "*", "COUNT", "500")).compose(r -> {
      List<Future<StoredKey>> found = new ArrayList<>();
      for (Response name : r.get(1)) {
        String key = name.toString();
        found.add(find(key.substring(PREFIX.length() + 1, key.length() - 1)));
      }
      return Future.all(found).compose(all -> {
        for (int i = 0; i < all.size(); i++) {
          if (all.resultAt(i) != null) {
            out.add(all.resultAt(i));
          }
        }
        String next = r.get(0).toString();
        return next.equals("0") ? Future.succeededFuture(out) : scan(next, out);
      });
    });
  }

  private static StoredKey decode(String id, Map<String, String> f) {
    if (f.isEmpty() || f.get("hash") == null || f.get("user") == null) {
      return null;
    }
    String roles = f.getOrDefault("roles", "");
    return new StoredKey(id, f.get("hash"), f.get("user"), f.get("team"),
        roles.isEmpty() ? List.of() : Arrays.asList(roles.split(",")),
        f.get("created") == null ? null : Instant.parse(f.get("created")),
        instant(f.get("expires")), instant(f.get("retires")), "1".equals(f.get("revoked")));
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
