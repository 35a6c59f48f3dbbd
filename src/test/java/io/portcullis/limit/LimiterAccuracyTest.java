package io.portcullis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Admitted / limit for traffic at 0.5x to 3x the limit, through 1 and through 3 limiters (each with
 * its own Redis client, as separate instances have), on real time against a real redis-server. The
 * table goes to target/limiter-accuracy.md (the README quotes it); the test holds every row to the
 * stated bound: no trailing window above 2x the limit, and over a run at or above the limit, at
 * least 0.8x the limit per window on average, and at most the limit for each window the run
 * touched (a run of three windows from empty counters touches four: the first starts mid-way and
 * has no previous window to weigh, so up to 4/3 of the limit per window of run time).
 */
class LimiterAccuracyTest {

  static final int LIMIT = 40;
  static final long WINDOW_MS = 1000;
  static final long RUN_MS = 3000;

  @Test
  void admittedStaysWithinTheBoundForEveryPatternAndInstanceCount() throws Exception {
    Vertx vertx = Vertx.vertx();
    StringBuilder table = new StringBuilder("| traffic | instances | offered | admitted | admitted per window / limit | worst trailing window / limit |\n|---|---|---|---|---|---|\n");
    try (RedisServer server = new RedisServer()) {
      List<RedisLimiter> limiters = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        limiters.add(new RedisLimiter(RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()))),
            Duration.ofSeconds(2)));
      }
      int run = 0;
      for (double factor : new double[] {0.5, 1, 2, 3}) {
        for (int instances : new int[] {1, 3}) {
          String key = "rl:{acc-" + run++ + "}:p:requests";
          long intervalNanos = (long) (WINDOW_MS * 1_000_000 / (LIMIT * factor));
          List<Long> admitted = new ArrayList<>();
          long start = System.nanoTime();
          int offered = 0;
          for (long next = start; next - start < RUN_MS * 1_000_000; next += intervalNanos) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait); // pacing the offered load on the test thread
            }
            Limiter limiter = limiters.get(offered++ % instances);
            Decision d = limiter.acquire(List.of(new Charge(key, "requests", LIMIT, WINDOW_MS, 1)))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (d.allowed()) {
              admitted.add(System.nanoTime());
            }
          }
          int worst = 0;
          for (int i = 0, j = 0; i < admitted.size(); i++) {
            while (admitted.get(i) - admitted.get(j) >= WINDOW_MS * 1_000_000) {
              j++;
            }
            worst = Math.max(worst, i - j + 1);
          }
          // per window of the time the run really took (a busy machine stretches the pacing)
          double elapsedWindows = Math.max(RUN_MS, (System.nanoTime() - start) / 1_000_000) / (double) WINDOW_MS;
          double perWindow = admitted.size() / elapsedWindows / LIMIT;
          table.append(String.format("| %.1fx | %d | %d | %d | %.2f | %.2f |%n", factor, instances, offered,
              admitted.size(), perWindow, worst / (double) LIMIT));
          assertThat(worst).as("%sx through %d", factor, instances).isLessThanOrEqualTo(2 * LIMIT);
          if (factor >= 1) {
            double touched = Math.ceil(elapsedWindows) + 1;
            assertThat(perWindow).as("%sx through %d", factor, instances).isBetween(0.8, touched / elapsedWindows);
          } else {
            assertThat(admitted.size()).as("under the limit everything passes").isEqualTo(offered);
          }
        }
      }
    } finally {
      vertx.close();
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/limiter-accuracy.md"), table.toString());
  }
}
