package io.portcullis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Lua script against a real redis-server, and the in-process limiter against the same rules. */
class LimiterTest {

  static RedisServer server;
  static Vertx vertx;
  static RedisLimiter redis;

  @BeforeAll
  static void start() throws Exception {
    server = new RedisServer();
    vertx = Vertx.vertx();
    redis = new RedisLimiter(RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()))),
        Duration.ofSeconds(2));
    await(redis.load());
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Charge requests(String who, long limit, long windowMs) {
    return new Charge("rl:{" + who + "}:p:requests", "requests", limit, windowMs, 1);
  }

  @Test
  void admitsUpToTheLimitThenSaysWhenToRetry() throws Exception {
    for (Limiter limiter : List.of(redis, new LocalLimiter(System::currentTimeMillis))) {
      String who = "a-" + limiter.getClass().getSimpleName();
      for (int i = 0; i < 5; i++) {
        Decision d = await(limiter.acquire(List.of(requests(who, 5, 60_000))));
        assertThat(d.allowed()).as("request %d", i).isTrue();
        assertThat(d.states().get(0).remaining()).isEqualTo(4 - i);
      }
      Decision denied = await(limiter.acquire(List.of(requests(who, 5, 60_000))));
      assertThat(denied.allowed()).isFalse();
      assertThat(denied.retryAfterMs()).isPositive().isLessThanOrEqualTo(120_000);
      assertThat(denied.states().get(0).remaining()).isZero();
    }
  }

  @Test
  void chargesAllLimitsOrNone() throws Exception {
    for (Limiter limiter : List.of(redis, new LocalLimiter(System::currentTimeMillis))) {
      String who = "b-" + limiter.getClass().getSimpleName();
      Charge req = requests(who, 100, 60_000);
      Charge tokens = new Charge("rl:{" + who + "}:p:tokens", "tokens", 1000, 60_000, 800);
      assertThat(await(limiter.acquire(List.of(req, tokens))).allowed()).isTrue();
      Decision second = await(limiter.acquire(List.of(req, tokens)));
      assertThat(second.allowed()).isFalse(); // 1600 tokens > 1000
      // the refused request charged nothing: 99 requests left, 200 tokens
      Decision small = await(limiter.acquire(List.of(req, new Charge(tokens.key(), "tokens", 1000, 60_000, 200))));
      assertThat(small.allowed()).isTrue();
      assertThat(small.states().get(0).remaining()).isEqualTo(98);
      assertThat(small.states().get(1).remaining()).isZero();
      // settling a reservation that used less frees the difference
      // (in Redis the correction rides along with this caller's next decision, right below)
      await(limiter.settle(tokens, small.states().get(1).window(), -500));
      assertThat(await(limiter.acquire(List.of(new Charge(tokens.key(), "tokens", 1000, 60_000, 500)))).allowed()).isTrue();
    }
  }

  @Test
  void aCorrectionWithNoLaterDecisionGoesOutAtTheFlush() throws Exception {
    Charge tokens = new Charge("rl:{e}:p:tokens", "tokens", 1000, 60_000, 900);
    Decision d = await(redis.acquire(List.of(tokens)));
    assertThat(server.command("HGET rl:{e}:p:tokens " + d.states().get(0).window())).isEqualTo("$3");
    await(redis.settle(tokens, d.states().get(0).window(), -850));
    redis.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String count;
    do {
      count = bulk("HGET rl:{e}:p:tokens " + d.states().get(0).window());
    } while (!"50".equals(count) && System.nanoTime() < deadline);
    assertThat(count).isEqualTo("50");
  }

  /** The value of a bulk-string reply (RedisServer.command returns only its first line). */
  static String bulk(String command) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port)) {
      s.getOutputStream().write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8));
      String head = in.readLine();
      return head.startsWith("$-1") ? null : in.readLine();
    }
  }

  @Test
  void keysShareOneHashTagExpireAndSurviveAScriptFlush() throws Exception {
    String who = "c";
    await(redis.acquire(List.of(requests(who, 5, 10_000))));
    long ttl = Long.parseLong(server.command("PTTL rl:{c}:p:requests").substring(1));
    assertThat(ttl).isPositive().isLessThanOrEqualTo(20_000);
    server.command("SCRIPT FLUSH");
    assertThat(await(redis.acquire(List.of(requests(who, 5, 10_000)))).allowed()).isTrue(); // NOSCRIPT -> EVAL
  }

  @Test
  void theLocalLimiterFollowsTheSlidingWindowOnAFakeClock() throws Exception {
    // a steady 2 requests per second against 10 per 10 s: after the first window the admitted
    // count in every trailing 10 s stays within the weighted counter's bound
    AtomicLong now = new AtomicLong(1_000_000);
    LocalLimiter limiter = new LocalLimiter(now::get);
    long[] admittedAt = new long[100_000];
    int admitted = 0;
    Random random = new Random(1);
    for (int i = 0; i < 2000; i++) {
      now.addAndGet(random.nextInt(1000)); // 0.5 s apart on average: 2x the limit
      if (await(limiter.acquire(List.of(requests("d", 10, 10_000)))).allowed()) {
        admittedAt[admitted++] = now.get();
      }
    }
    int worst = 0;
    for (int i = 0, j = 0; i < admitted; i++) {
      while (admittedAt[i] - admittedAt[j] >= 10_000) {
        j++;
      }
      worst = Math.max(worst, i - j + 1);
    }
    assertThat(worst).isLessThanOrEqualTo(20); // the bound: at most 2x in a trailing window
    // about 100 windows of 10 s: close to 10 admitted per window (the estimate is conservative
    // under steady overload, so a little under)
    long windows = (now.get() - 1_000_000) / 10_000;
    assertThat((double) admitted / (windows * 10)).isBetween(0.85, 1.05);
  }
}
