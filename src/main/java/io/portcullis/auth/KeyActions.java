package io.portcullis.auth;

import io.portcullis.audit.AuditEntry;
import io.portcullis.audit.AuditTrail;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Every change to API keys, users and teams, once, for the {@code keys} command and the admin API
 * alike: the checks, the store's writes and exactly one audit entry per action, whatever its
 * outcome (a refused action is written as refused, with the reason). Reads are not audited.
 */
public final class KeyActions {

  /** An action refused for a reason its caller can fix: the field at fault, and the HTTP status that says it. */
  public static final class Refused extends RuntimeException {
    private final int status;
    private final String field;

    public Refused(int status, String field, String message) {
      super(message, null, false, false);
      this.status = status;
      this.field = field;
    }

    public int status() {
      return status;
    }

    /** The request field at fault, or null. */
    public String field() {
      return field;
    }
  }

  /** A key just made: the only time its secret exists outside the caller. */
  public record Created(StoredKey stored, String key) {}

  /** What the key id grammar allows (the API refuses anything else before a lookup). */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9]{8,32}");
  /** User and team names: printable, no spaces or braces (they go into Redis hash tags and audit targets). */
  static final Pattern NAME = Pattern.compile("[^\\s{}:\\p{Cntrl}][^\\s{}\\p{Cntrl}]{0,127}");

  private final KeyStore store;
  private final AuditTrail audit;
  private final Set<String> roleNames;
  private final Duration defaultOverlap;
  private final Supplier<Instant> clock;

  public KeyActions(KeyStore store, AuditTrail audit, Set<String> roleNames, Duration defaultOverlap, Supplier<Instant> clock) {
    this.store = store;
    this.audit = audit;
    this.roleNames = Set.copyOf(roleNames);
    this.defaultOverlap = defaultOverlap;
    this.clock = clock;
  }

  public KeyStore store() {
    return store;
  }

  /** A new key for {@code user}; {@code expires} null for never. */
  public Future<Created> create(String actor, String user, String team, List<String> roles, Instant expires) {
    String target = "user:" + user;
    return audited(actor, "key.create", target, () -> {
      name("user", user);
      if (team != null) {
        name("team", team);
      }
      checkRoles(roles);
      Instant now = clock.get();
      checkExpiry(expires, now);
      String[] generated = ApiKeyFormat.generate();
      StoredKey key = new StoredKey(generated[1], generated[2], user, team, roles, now, expires, false);
      return store.put(key).map(v -> new Created(key, generated[0]));
    }, c -> new JsonObject().put("key", c.stored().id()).put("team", team).put("roles", new JsonArray(roles))
        .put("expires", expires == null ? null : expires.toString()));
  }

  /** Every key, or those of one user and/or team. */
  public Future<List<StoredKey>> list(String user, String team) {
    return store.list().map(all -> all.stream()
        .filter(k -> user == null || user.equals(k.user()))
        .filter(k -> team == null || team.equals(k.team()))
        .sorted(Comparator.comparing(StoredKey::id)).toList());
  }

  /** The key with this id; refused (404) when there is none. */
  public Future<StoredKey> get(String id) {
    if (!ID.matcher(id).matches()) {
      return Future.failedFuture(new Refused(400, "id", "'" + id + "' is not a key id (8 to 32 letters and digits)"));
    }
    return store.find(id).compose(k -> k == null ? Future.failedFuture(new Refused(404, "id", "no key " + id))
        : Future.succeededFuture(k));
  }

  /** Revokes a key at once (named by id, or by the key itself, which must match the stored hash). */
  public Future<StoredKey> revoke(String actor, String idOrKey) {
    return audited(actor, "key.revoke", "key:" + idOf(idOrKey), () -> named(idOrKey)
        .compose(k -> {
          StoredKey revoked = k.revoke();
          return store.put(revoked).map(revoked);
        }), k -> new JsonObject());
  }

  /**
   * A replacement key with the same owner, roles and expiry; the old one keeps working for
   * {@code overlap} (null: the configured rotation overlap; zero ends it now).
   */
  public Future<Created> rotate(String actor, String idOrKey, Duration overlap) {
    return audited(actor, "key.rotate", "key:" + idOf(idOrKey), () -> named(idOrKey).compose(old -> {
      Instant now = clock.get();
      if (old.revoked() || old.endedAt(now)) {
        throw new Refused(409, "id", "key " + old.id() + " is " + (old.revoked() ? "revoked" : "expired") + "; create a new one");
      }
      if (overlap != null && overlap.isNegative()) {
        throw new Refused(400, "overlap", "must not be negative");
      }
      Duration keep = overlap != null ? overlap : defaultOverlap;
      String[] generated = ApiKeyFormat.generate();
      // the replacement keeps the key's own expiry, never the end of an overlap it may already be in
      StoredKey replacement = new StoredKey(generated[1], generated[2], old.user(), old.team(), old.roles(), now,
          old.expires(), false);
      return store.put(replacement).compose(v -> store.put(old.retiring(now.plus(keep))))
          .map(new Created(replacement, generated[0]));
    }), c -> new JsonObject().put("replacement", c.stored().id())
        .put("overlap", (overlap != null ? overlap : defaultOverlap).toString()));
  }

  /**
   * New roles and/or a new expiry for a key (each null: unchanged; {@code clearExpiry}: never
   * expires). A revoked key stays revoked.
   */
  public Future<StoredKey> update(String actor, String id, List<String> roles, Instant expires, boolean clearExpiry) {
    return audited(actor, "key.update", "key:" + id, () -> {
      if (roles == null && expires == null && !clearExpiry) {
        throw new Refused(400, "roles", "nothing to change: give roles and/or expires");
      }
      if (roles != null) {
        checkRoles(roles);
      }
      checkExpiry(expires, clock.get());
      return get(id).compose(k -> {
        StoredKey changed = k.with(roles != null ? roles : k.roles(), clearExpiry ? null : expires != null ? expires : k.expires());
        return store.put(changed).map(changed);
      });
    }, k -> new JsonObject().put("roles", roles == null ? null : new JsonArray(roles))
        .put("expires", clearExpiry ? "never" : expires == null ? null : expires.toString()));
  }

  /** Revokes every key of a user or a team ({@code kind} {@code user} or {@code team}); completes with how many. */
  public Future<Integer> revokeAll(String actor, String kind, String name) {
    return audited(actor, kind + ".revoke_keys", kind + ":" + name, () -> {
      kind(kind);
      name(kind, name);
      return store.list().compose(all -> {
        List<Future<Void>> writes = new ArrayList<>();
        for (StoredKey k : all) {
          boolean owned = kind.equals("user") ? name.equals(k.user()) : name.equals(k.team());
          if (owned && !k.revoked()) {
            writes.add(store.put(k.revoke()));
          }
        }
        return Future.all(writes).map(writes.size());
      });
    }, n -> new JsonObject().put("revoked", n));
  }

  /** Blocks or unblocks a user or a team: its every request is refused (403) until unblocked, whatever it authenticates with. */
  public Future<Void> block(String actor, String kind, String name, boolean blocked) {
    return audited(actor, kind + (blocked ? ".block" : ".unblock"), kind + ":" + name, () -> {
      kind(kind);
      name(kind, name);
      return store.block(kind + ":" + name, blocked);
    }, v -> new JsonObject());
  }

  /**
   * Runs an action and writes its one audit entry: {@code ok} with its detail, {@code refused}
   * with the reason, or {@code failed} (the store could not be written). The action's outcome is
   * what the caller gets once the entry is written (an entry that cannot be written fails the call:
   * a change must not go unrecorded silently).
   */
  private <T> Future<T> audited(String actor, String action, String target, Supplier<Future<T>> work,
      Function<T, JsonObject> detail) {
    Future<T> done;
    try {
      done = work.get();
    } catch (Refused r) {
      done = Future.failedFuture(r);
    }
    return done.transform(ar -> {
      AuditEntry entry;
      if (ar.succeeded()) {
        entry = AuditEntry.ok(actor, action, target, detail.apply(ar.result()));
      } else if (ar.cause() instanceof Refused r) {
        entry = AuditEntry.refused(actor, action, target, r.getMessage());
      } else {
        entry = new AuditEntry(null, Instant.now(), actor, action, target, "failed",
            new JsonObject().put("reason", ar.cause().getClass().getSimpleName()));
      }
      return audit.append(entry).transform(written -> {
        if (written.failed() && ar.succeeded()) {
          return Future.failedFuture(new IllegalStateException(
              "done, but the audit trail could not be written: " + written.cause().getMessage()));
        }
        return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
      });
    });
  }

  /** The key a command names, by id or by the full key; a full key must match the stored hash. */
  private Future<StoredKey> named(String idOrKey) {
    ApiKeyFormat.Parsed parsed = ApiKeyFormat.parse(idOrKey);
    if (parsed == null) {
      return ID.matcher(idOrKey).matches() ? get(idOrKey)
          : Future.failedFuture(new Refused(400, "id", "'" + idOrKey + "' is neither a key id nor a key"));
    }
    return get(parsed.id()).compose(k -> ApiKeyFormat.sameHash(ApiKeyFormat.hash(parsed.id(), parsed.secret()), k.hash())
        ? Future.succeededFuture(k)
        : Future.failedFuture(new Refused(404, "id", "the key given does not match the stored key " + parsed.id())));
  }

  /** A key's id as an audit target: never the secret, even when the command was given the whole key. */
  private static String idOf(String idOrKey) {
    ApiKeyFormat.Parsed parsed = ApiKeyFormat.parse(idOrKey);
    return parsed != null ? parsed.id() : ID.matcher(idOrKey).matches() ? idOrKey : "?";
  }

  private void checkRoles(List<String> roles) {
    for (String r : roles) {
      if (!roleNames.contains(r)) {
        throw new Refused(400, "roles", "no role named '" + r + "' (known: " + String.join(", ", roleNames) + ")");
      }
    }
  }

  private static void checkExpiry(Instant expires, Instant now) {
    if (expires != null && !expires.isAfter(now)) {
      throw new Refused(400, "expires", expires + " is not in the future");
    }
  }

  private static void kind(String kind) {
    if (!kind.equals("user") && !kind.equals("team")) {
      throw new Refused(400, "kind", "must be user or team");
    }
  }

  private static void name(String field, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new Refused(400, field, "must be 1 to 128 characters without spaces, braces or control characters, not starting with ':'");
    }
  }
}
