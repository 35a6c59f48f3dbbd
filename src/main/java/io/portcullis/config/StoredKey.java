package io.portcullis.config;

import java.time.Instant;
import java.util.List;

/**
 * An API key as a store holds it: never the key itself, only the SHA-256 of its secret part.
 *
 * @param hash lower-case hex SHA-256 of {@code "<id>:<secret>"}
 * @param expires the key's own expiry (set when it was made), or null for never; a replacement made
 *     by rotation inherits it
 * @param retires the end of the overlap after a rotation, or null while the key has not been rotated;
 *     kept apart from {@code expires} so that rotating again never hands the overlap on
 */
public record StoredKey(String id, String hash, String user, String team, List<String> roles, Instant created,
    Instant expires, Instant retires, boolean revoked) {

  public StoredKey {
    roles = List.copyOf(roles);
  }

  /** A key that has not been rotated. */
  public StoredKey(String id, String hash, String user, String team, List<String> roles, Instant created,
      Instant expires, boolean revoked) {
    this(id, hash, user, team, roles, created, expires, null, revoked);
  }

  /** When the key stops working, the earlier of its expiry and its retirement, or null for never. */
  public Instant ends() {
    if (expires == null) {
      return retires;
    }
    return retires == null || expires.isBefore(retires) ? expires : retires;
  }

  public boolean endedAt(Instant now) {
    Instant end = ends();
    return end != null && !now.isBefore(end);
  }

  /** The same key with other roles and expiry. */
  public StoredKey with(List<String> newRoles, Instant newExpires) {
    return new StoredKey(id, hash, user, team, newRoles, created, newExpires, retires, revoked);
  }

  /** What a listing says of the key: {@code active}, {@code retiring}, {@code expired} or {@code revoked}. */
  public String state(Instant now) {
    return revoked ? "revoked" : endedAt(now) ? "expired" : retires != null ? "retiring" : "active";
  }

  public StoredKey revoke() {
    return new StoredKey(id, hash, user, team, roles, created, expires, retires, true);
  }

  /** The key retiring at {@code at}, or earlier if it already retires earlier. */
  public StoredKey retiring(Instant at) {
    return new StoredKey(id, hash, user, team, roles, created, expires,
        retires == null || at.isBefore(retires) ? at : retires, revoked);
  }
}
