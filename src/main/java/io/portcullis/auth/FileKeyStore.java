package io.portcullis.auth;

import io.portcullis.config.KeyFile;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The key file: looked up in memory on the request path (the file was read with the config, and a
 * change to it is picked up by the same reload); written whole by the {@code keys} commands, which
 * run outside any event loop (the write blocks).
 */
public final class FileKeyStore implements KeyStore {

  private final Path file;
  private final Map<String, StoredKey> byId = new HashMap<>();

  public FileKeyStore(Path file, List<StoredKey> keys) {
    this.file = file;
    keys.forEach(k -> byId.put(k.id(), k));
  }

  /** The key with this id, from memory, without a future (the request path's form). */
  public StoredKey get(String id) {
    return byId.get(id);
  }

  @Override
  public Future<StoredKey> find(String id) {
    return Future.succeededFuture(byId.get(id));
  }

  @Override
  public Future<Void> put(StoredKey key) {
    byId.put(key.id(), key);
    List<StoredKey> all = new ArrayList<>(byId.values());
    all.sort(Comparator.comparing(StoredKey::created, Comparator.nullsFirst(Comparator.naturalOrder())));
    try {
      KeyFile.write(file, all);
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<List<StoredKey>> list() {
    return Future.succeededFuture(List.copyOf(byId.values()));
  }
}
