package io.portcullis.config;

import java.time.Instant;
import java.util.List;

/**
 * An API key as a store holds it: never the key itself, only the SHA-256 of its secret part.
 *
 * @param hash lower-case hex SHA-256 of {@code "<id>:<secret>"}
 * @param expires when the key stops working, or null for never (a rotated key gets one)
 */
public record StoredKey(String id, String hash, String user, String team, List<String> roles, Instant created,
    Instant expires, boolean revoked) {

  public StoredKey {
    roles = List.copyOf(roles);
  }

  public StoredKey revoke() {
    return new StoredKey(id, hash, user, team, roles, created, expires, true);
  }

  public StoredKey expiring(Instant at) {
    return new StoredKey(id, hash, user, team, roles, created, expires == null || at.isBefore(expires) ? at : expires, revoked);
  }
}
