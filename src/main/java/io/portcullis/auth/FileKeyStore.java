package io.portcullis.auth;

import io.portcullis.config.KeyFile;
import io.portcullis.config.StoredKey;
import io.portcullis.ingress.Principal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key file: looked up in memory on the request path (the file was read with the config, and a
 * change to it is picked up by the same reload); changed by the {@code keys} commands and the admin
 * API, each change read-modify-write under a lock, whole, outside any event loop (it blocks).
 *
 * <p>A well-formed key whose id is unknown makes the file be read again at once, on a worker,
 * before the key is refused: a key just made by {@code keys create} works on the very next request,
 * without waiting for the reload's poll. Reads start at most once per {@link #REREAD_INTERVAL_NANOS}
 * and the lookups waiting meanwhile share the next one, so unknown ids sent in a flood cost two file
 * reads a second and a key made between two reads still waits for at most one interval.
 */
public final class FileKeyStore implements KeyStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileKeyStore.class);
  /** One monitor per key file in this process (a JVM may not hold two locks on one file). */
  private static final Map<Path, Object> WRITERS = new ConcurrentHashMap<>();
  static final long REREAD_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final Path file;
  /** Replaced whole (the snapshot holding this store is shared by every event loop). */
  private volatile Map<String, StoredKey> byId;
  /** The blocked users and teams, replaced whole. */
  private volatile Set<String> blocked;
  /** The read scheduled and not yet begun, or null. */
  private Promise<Void> next;
  private long lastRead = System.nanoTime() - REREAD_INTERVAL_NANOS;

  public FileKeyStore(Path file, List<StoredKey> keys) {
    this(file, keys, Set.of());
  }

  public FileKeyStore(Path file, List<StoredKey> keys, Set<String> blocked) {
    this.file = file;
    this.blocked = Set.copyOf(blocked);
    Map<String, StoredKey> map = new HashMap<>();
    keys.forEach(k -> map.put(k.id(), k));
    this.byId = map;
  }

  /** The key with this id, from memory, without a future (the request path's form). */
  public StoredKey get(String id) {
    return byId.get(id);
  }

  /**
   * The key with this id; when memory does not have it, after reading the file again (at most one
   * read per interval, shared by the lookups waiting for it). Without a file or a Vert.x, memory only.
   */
  public Future<StoredKey> getOrReread(String id, Vertx vertx) {
    StoredKey known = byId.get(id);
    if (known != null || file == null || vertx == null) {
      return Future.succeededFuture(known);
    }
    return reread(vertx).map(v -> byId.get(id));
  }

  /**
   * A read of the file that starts after this call: the one already scheduled and not yet begun,
   * else a new one, started now or as soon as the interval since the last start allows.
   */
  private synchronized Future<Void> reread(Vertx vertx) {
    if (next != null) {
      return next.future();
    }
    Promise<Void> read = Promise.promise();
    next = read;
    long wait = lastRead + REREAD_INTERVAL_NANOS - System.nanoTime();
    if (wait <= 0) {
      begin(vertx, read);
    } else {
      vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), t -> begin(vertx, read));
    }
    return read.future();
  }

  private void begin(Vertx vertx, Promise<Void> read) {
    synchronized (this) {
      next = null; // lookups from now on need a read that starts after them
      lastRead = System.nanoTime();
    }
    vertx.<Void>executeBlocking(() -> {
      List<String> problems = new ArrayList<>();
      List<StoredKey> keys = KeyFile.read(file, problems::add);
      if (!problems.isEmpty()) {
        // a half-edited file: keep what was read last; the config reload reports the problems
        LOG.warn("key file {} not re-read: {}", file, problems.get(0));
        return null;
      }
      Set<String> nowBlocked = KeyFile.readBlocked(file, problems::add);
      Map<String, StoredKey> map = new HashMap<>();
      keys.forEach(k -> map.put(k.id(), k));
      byId = map;
      blocked = Set.copyOf(nowBlocked);
      return null;
    }, false).otherwiseEmpty().onComplete(read);
  }

  @Override
  public Future<StoredKey> find(String id) {
    return Future.succeededFuture(byId.get(id));
  }

  @Override
  public Future<Void> put(StoredKey key) {
    return change(keys -> keys.put(key.id(), key), blocks -> { });
  }

  /**
   * One change: the file is read again under a lock (the keys command, the admin API of this or
   * another gateway may have written it since this store read it: writing from memory would drop
   * their keys), changed, and written whole. Blocking: the CLI's thread, or a worker for the admin
   * API. The lock is a sidecar file ({@code <key file>.lock}): the key file itself is replaced by a
   * rename at every write, so a lock on it would not hold.
   */
  private Future<Void> change(Consumer<Map<String, StoredKey>> keys, Consumer<Set<String>> blocks) {
    // a file lock holds between processes; within this one, every store of the same file takes turns first
    synchronized (WRITERS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new Object())) {
      return changeLocked(keys, blocks);
    }
  }

  private Future<Void> changeLocked(Consumer<Map<String, StoredKey>> keys, Consumer<Set<String>> blocks) {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      Map<String, StoredKey> map = new HashMap<>();
      Set<String> nowBlocked = new HashSet<>();
      if (Files.exists(file)) {
        List<String> problems = new ArrayList<>();
        List<StoredKey> read = KeyFile.read(file, problems::add);
        Set<String> readBlocked = KeyFile.readBlocked(file, problems::add);
        if (!problems.isEmpty()) {
          // never overwrite a file that does not read: what cannot be read would be lost
          return Future.failedFuture(new IOException("the key file cannot be read, not changed: " + problems.get(0)));
        }
        read.forEach(k -> map.put(k.id(), k));
        nowBlocked.addAll(readBlocked);
      }
      keys.accept(map);
      blocks.accept(nowBlocked);
      List<StoredKey> all = new ArrayList<>(map.values());
      all.sort(Comparator.comparing(StoredKey::created, Comparator.nullsFirst(Comparator.naturalOrder())));
      KeyFile.write(file, all, nowBlocked);
      byId = map;
      blocked = Set.copyOf(nowBlocked);
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
  }

  /** Whether the caller's user or team is blocked, from memory (the request path's form). */
  public boolean blocks(Principal p) {
    return Blocklist.blocks(blocked, p);
  }

  @Override
  public Future<Set<String>> blocked() {
    return Future.succeededFuture(blocked);
  }

  /** Writes the file (blocking, as {@link #put}). */
  @Override
  public Future<Void> block(String subject, boolean block) {
    return change(keys -> { }, blocks -> {
      if (block) {
        blocks.add(subject);
      } else {
        blocks.remove(subject);
      }
    });
  }

  @Override
  public Future<List<StoredKey>> list() {
    return Future.succeededFuture(List.copyOf(byId.values()));
  }
}
