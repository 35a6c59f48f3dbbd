package io.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.KeyFile;
import io.portcullis.config.StoredKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key file changed by several writers at once (the {@code keys} command, a gateway's admin API,
 * another gateway's), each store holding what it read earlier: no change is lost, because each is a
 * read-modify-write under a lock.
 */
class FileKeyStoreTest {

  static StoredKey key(int i) {
    String[] k = ApiKeyFormat.generate();
    return new StoredKey(k[1], k[2], "user" + i, null, List.of(), Instant.now(), null, false);
  }

  @Test
  void storesThatReadTheFileEarlierLoseNoneOfEachOthersChanges() throws Exception {
    Path file = tempDir.resolve("keys.yaml");
    // four stores, each made from the (empty) file as it was, as a gateway's snapshot or a CLI run is
    List<FileKeyStore> stores = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      stores.add(new FileKeyStore(file, List.of()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> writers = new ArrayList<>();
    List<StoredKey> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int s = 0; s < 4; s++) {
      FileKeyStore store = stores.get(s);
      int base = s * 100;
      writers.add(pool.submit(() -> {
        for (int i = 0; i < 25; i++) {
          StoredKey k = key(base + i);
          made.add(k);
          store.put(k).toCompletionStage().toCompletableFuture().join();
          if (i % 5 == 0) {
            store.block("user:user" + (base + i), true).toCompletionStage().toCompletableFuture().join();
          }
        }
        return null;
      }));
    }
    for (Future<?> w : writers) {
      w.get();
    }
    pool.shutdown();
    List<String> problems = new ArrayList<>();
    List<String> ids = KeyFile.read(file, problems::add).stream().map(StoredKey::id).sorted().toList();
    assertThat(problems).isEmpty();
    assertThat(ids).containsExactlyInAnyOrderElementsOf(made.stream().map(StoredKey::id).toList());
    assertThat(KeyFile.readBlocked(file, problems::add)).hasSize(20);
    // a store that read the file long ago still revokes without undoing anything
    FileKeyStore stale = stores.get(0);
    stale.put(made.get(99).revoke()).toCompletionStage().toCompletableFuture().join();
    assertThat(KeyFile.read(file, problems::add)).hasSize(100).filteredOn(StoredKey::revoked).hasSize(1);
    assertThat(Files.exists(file.resolveSibling("keys.yaml.lock"))).isTrue();
  }

  @TempDir Path tempDir;
}
