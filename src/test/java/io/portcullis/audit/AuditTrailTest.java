package io.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both audit trails page the same way: newest first, each page older than the id the previous
 * ended with, every entry once, none lost or repeated; the Redis stream is capped as it is written.
 */
class AuditTrailTest {

  @TempDir Path dir;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Writes n entries, then pages through them by {@code size}: returns the targets in the order read. */
  static List<String> writeAndPage(AuditTrail trail, int n, int size) throws Exception {
    for (int i = 0; i < n; i++) {
      await(trail.append(AuditEntry.ok("cli:test", "key.create", "user:u" + i, new JsonObject().put("i", i))));
    }
    List<String> read = new ArrayList<>();
    String before = null;
    while (true) {
      List<AuditEntry> page = await(trail.page(before, size));
      page.forEach(e -> read.add(e.target()));
      if (page.size() < size) {
        return read;
      }
      before = page.get(page.size() - 1).id();
    }
  }

  static List<String> newestFirst(int n) {
    List<String> out = new ArrayList<>();
    for (int i = n - 1; i >= 0; i--) {
      out.add("user:u" + i);
    }
    return out;
  }

  @Test
  void theFileTrailPagesNewestFirstWithoutLossOrRepeat() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Vertx vertx = Vertx.vertx();
    try {
      for (int size : new int[] {1, 7, 50, 200}) {
        Files.deleteIfExists(file);
        assertThat(writeAndPage(new FileAuditTrail(vertx, file), 50, size)).containsExactlyElementsOf(newestFirst(50));
      }
      // a line cut by a crash is skipped; the rest still reads
      Files.writeString(file, Files.readString(file) + "{\"time\":\"2026-", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
      assertThat(await(new FileAuditTrail(vertx, file).page(null, 100))).hasSize(50);
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void theRedisTrailPagesTheSameAndIsCappedAsItIsWritten() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      Vertx vertx = Vertx.vertx();
      try {
        Redis client = Redis.createClient(vertx, redis.url());
        RedisAuditTrail trail = new RedisAuditTrail(RedisAPI.api(client), 100, Duration.ofDays(1), Duration.ofSeconds(5), client::close);
        assertThat(writeAndPage(trail, 50, 7)).containsExactlyElementsOf(newestFirst(50));
        // 400 more: about 100 are kept (Redis trims whole nodes, so a few more may stay), the newest
        for (int i = 50; i < 450; i++) {
          await(trail.append(AuditEntry.ok("cli:test", "key.create", "user:u" + i, null)));
        }
        List<AuditEntry> kept = await(trail.page(null, 1000));
        assertThat(kept.size()).isBetween(100, 200);
        assertThat(kept.get(0).target()).isEqualTo("user:u449");
        trail.close();
      } finally {
        await(vertx.close());
      }
    }
  }
}
