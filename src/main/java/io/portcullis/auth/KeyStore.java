package io.portcullis.auth;

import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/** Where API keys live: the key file of a snapshot, or the shared Redis. */
public interface KeyStore {

  /** The key with this id, or null when there is none. */
  Future<StoredKey> find(String id);

  /** Adds or replaces a key. */
  Future<Void> put(StoredKey key);

  /** Every key (for {@code keys list}; not on the request path). */
  Future<List<StoredKey>> list();

  /** The blocked users and teams, as {@code user:<name>} and {@code team:<name>}. */
  Future<Set<String>> blocked();

  /** Blocks ({@code true}) or unblocks a user or a team ({@code user:<name>}, {@code team:<name>}). */
  Future<Void> block(String subject, boolean blocked);
}
