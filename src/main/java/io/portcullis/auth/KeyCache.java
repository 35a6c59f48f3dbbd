package io.portcullis.auth;

import io.portcullis.config.StoredKey;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys found in Redis, kept by this process (shared by its event loops) so that most requests do
 * not ask Redis, and so that known keys keep working while Redis is away. An entry is fresh for the
 * cache's {@code ttl} after it was read, and usable for {@code stale_if_error} more when Redis does
 * not answer. A change of a key anywhere in the cluster removes it here at once ({@link KeyChanges});
 * after the change feed was interrupted every entry is read again at its next use, since changes may
 * have been missed. Only keys that exist are cached: an unknown id always asks Redis.
 */
public final class KeyCache {

  /** A cached key; {@code refresh} set when it must be read again before it is trusted as fresh. */
  record Entry(StoredKey key, long readAtNanos, boolean refresh) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  Entry get(String id) {
    return entries.get(id);
  }

  /**
   * Keeps a key just read from Redis. Past {@code maxEntries} the entries too old to be used even
   * stale are dropped; if that is not enough the key is not kept (it is still served, from Redis).
   */
  void put(StoredKey key, long nowNanos, long usableNanos, int maxEntries) {
    if (entries.size() >= maxEntries && !entries.containsKey(key.id())) {
      entries.values().removeIf(e -> nowNanos - e.readAtNanos() > usableNanos);
      if (entries.size() >= maxEntries) {
        return;
      }
    }
    entries.put(key.id(), new Entry(key, nowNanos, false));
  }

  /** A key changed (revoked, rotated, replaced) or is gone: the next lookup reads it again. */
  public void invalidate(String id) {
    entries.remove(id);
  }

  /** Changes may have been missed: every entry is read again at its next use (and stays usable stale). */
  public void refreshAll() {
    entries.replaceAll((id, e) -> new Entry(e.key(), e.readAtNanos(), true));
  }

  public int size() {
    return entries.size();
  }
}
