package io.portcullis.admin;

import io.portcullis.auth.KeyStore;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;

/**
 * The key file's store as the admin API uses it: its writes (a whole file, through a rename) run
 * on a worker, one at a time, never on the admin event loop; its reads are from memory.
 */
final class WorkerWrites implements KeyStore {

  private final KeyStore file;
  private final Vertx vertx;

  WorkerWrites(KeyStore file, Vertx vertx) {
    this.file = file;
    this.vertx = vertx;
  }

  @Override
  public Future<StoredKey> find(String id) {
    return file.find(id);
  }

  @Override
  public Future<Void> put(StoredKey key) {
    return vertx.<Future<Void>>executeBlocking(() -> file.put(key), true).compose(f -> f);
  }

  @Override
  public Future<List<StoredKey>> list() {
    return file.list();
  }

  @Override
  public Future<Set<String>> blocked() {
    return file.blocked();
  }

  @Override
  public Future<Void> block(String subject, boolean blocked) {
    return vertx.<Future<Void>>executeBlocking(() -> file.block(subject, blocked), true).compose(f -> f);
  }
}
