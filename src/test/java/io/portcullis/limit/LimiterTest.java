package io.portcullis.limit;

import io.portcullis.ingress.Usage;
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
    return bulk(server.port, command);
  }

  /** A bulk-string reply of the Redis on {@code port} (null for a nil reply), over a plain socket. */
  static String bulk(int port, String command) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
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

  static Charge guarded(String who, long limit, long windowMs, long burst) {
    return new Charge("rl:{" + who + "}:p:requests", "requests", limit, windowMs, 1, null, burst);
  }

  @Test
  void theBurstGuardAdmitsTheBurstThenOneRequestPerInterval() throws Exception {
    // 60 a minute with a burst of 3: three at once, then one a second (the interval is 60 s / 60)
    for (Limiter limiter : List.of(redis, new LocalLimiter(System::currentTimeMillis))) {
      String who = "g-" + limiter.getClass().getSimpleName();
      for (int i = 0; i < 3; i++) {
        assertThat(await(limiter.acquire(List.of(guarded(who, 60, 60_000, 3)))).allowed()).as("request %d", i).isTrue();
      }
      Decision denied = await(limiter.acquire(List.of(guarded(who, 60, 60_000, 3))));
      assertThat(denied.allowed()).isFalse();
      assertThat(denied.retryAfterMs()).isPositive().isLessThanOrEqualTo(1000);
      // the sliding window alone would have admitted it: 57 of 60 are left
      assertThat(denied.states().get(0).remaining()).isEqualTo(57);
      Thread.sleep(denied.retryAfterMs() + 20); // a test thread, not an event loop
      assertThat(await(limiter.acquire(List.of(guarded(who, 60, 60_000, 3)))).allowed()).isTrue();
      assertThat(await(limiter.acquire(List.of(guarded(who, 60, 60_000, 3)))).allowed()).isFalse();
    }
  }

  @Test
  void theBurstGuardBoundsEverySpanOnAFakeClock() throws Exception {
    // random bursty arrivals at 3x the limit: in any span of d ms no more than burst + d / interval
    // are admitted — including the span around a window's edge, where the sliding window alone
    // lets a caller spend most of two windows' limits in a moment
    AtomicLong now = new AtomicLong(5_000_000);
    LocalLimiter limiter = new LocalLimiter(now::get);
    Random random = new Random(7);
    long limit = 20;
    long windowMs = 10_000;
    long burst = 4;
    double interval = (double) windowMs / limit;
    List<Long> admitted = new java.util.ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      now.addAndGet(random.nextInt(10) == 0 ? random.nextInt(3000) : random.nextInt(20)); // clumps and gaps
      if (await(limiter.acquire(List.of(guarded("h", limit, windowMs, burst)))).allowed()) {
        admitted.add(now.get());
      }
    }
    assertThat(admitted.size()).isGreaterThan(100);
    for (int i = 0; i < admitted.size(); i++) {
      for (int j = i; j < admitted.size(); j++) {
        long span = admitted.get(j) - admitted.get(i);
        assertThat(j - i + 1).as("admitted in %d ms", span).isLessThanOrEqualTo((int) (burst + Math.floor(span / interval)) + 1);
      }
    }
  }

  @Test
  void inputAndOutputTokenLimitsSettleToTheirOwnPart() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000);
    LocalLimiter limiter = new LocalLimiter(now::get);
    Charge total = new Charge("rl:{t}:p:tokens", "tokens", 10_000, 60_000, 150);
    Charge input = new Charge("rl:{t}:p:input_tokens", "input_tokens", 10_000, 60_000, 100);
    Charge output = new Charge("rl:{t}:p:output_tokens", "output_tokens", 10_000, 60_000, 50);
    assertThat(total.tokens()).isEqualTo(Charge.Tokens.TOTAL);
    assertThat(input.tokens()).isEqualTo(Charge.Tokens.INPUT);
    assertThat(new Charge("k", "team_output_tokens", 1, 1000, 1).tokens()).isEqualTo(Charge.Tokens.OUTPUT);
    Decision d = await(limiter.acquire(List.of(total, input, output)));
    List<Reservation.Charged> charged = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      charged.add(new Reservation.Charged(List.of(total, input, output).get(i), d.states().get(i), limiter));
    }
    Usage usage = new Usage();
    usage.reported(90, 30);
    Reservation reservation = new Reservation(charged, 100, 50, usage);
    reservation.close(true);
    reservation.close(true); // settles once
    Decision after = await(limiter.acquire(List.of(total.withLimit(10_000, 0), zero(input), zero(output))));
    assertThat(after.states().get(0).remaining()).isEqualTo(10_000 - 120 - 150); // this call charged 150 again
    assertThat(after.states().get(1).remaining()).isEqualTo(10_000 - 90);
    assertThat(after.states().get(2).remaining()).isEqualTo(10_000 - 30);
  }

  @Test
  void claimsAreSettledWithTheAdmissionAndWhatWasNotUsedGoesBackFromTheLastClaim() throws Exception {
    LocalLimiter limiter = new LocalLimiter(new AtomicLong(1_000_000)::get);
    Charge output = new Charge("rl:{o}:p:output_tokens", "output_tokens", 1000, 60_000, 40);
    Charge input = new Charge("rl:{o}:p:input_tokens", "input_tokens", 1000, 60_000, 90);
    Decision d = await(limiter.acquire(List.of(output, input)));
    Usage usage = new Usage();
    Reservation reservation = new Reservation(List.of(new Reservation.Charged(output, d.states().get(0), limiter),
        new Reservation.Charged(input, d.states().get(1), limiter)), 90, 40, usage);
    assertThat(reservation.limitsCompletion()).isTrue();
    assertThat(reservation.allowance()).isEqualTo(40);
    for (int i = 0; i < 2; i++) {
      Charge claim = output.withCost(64);
      Decision c = await(limiter.acquire(List.of(claim)));
      reservation.claimed(64, List.of(new Reservation.Charged(claim, c.states().get(0), limiter)));
    }
    assertThat(reservation.allowance()).isEqualTo(40 + 128);
    assertThat(await(limiter.acquire(List.of(zero(output)))).states().get(0).remaining()).isEqualTo(1000 - 168);
    usage.counted(100);
    reservation.close(true);
    // 100 output tokens used: the admission's 40, then 60 of the first claim; the second is given back whole
    assertThat(await(limiter.acquire(List.of(zero(output)))).states().get(0).remaining()).isEqualTo(1000 - 100);
    assertThat(await(limiter.acquire(List.of(zero(input)))).states().get(0).remaining()).isEqualTo(1000 - 90);
    // a claim granted after the end (the client left while it was in flight) goes back at once
    Charge late = output.withCost(64);
    Decision l = await(limiter.acquire(List.of(late)));
    reservation.claimed(64, List.of(new Reservation.Charged(late, l.states().get(0), limiter)));
    assertThat(await(limiter.acquire(List.of(zero(output)))).states().get(0).remaining()).isEqualTo(1000 - 100);
  }

  @Test
  void aReportBelowWhatWasCountedIsNotBelieved() {
    Usage usage = new Usage();
    usage.counted(400);
    usage.reported(12, 10);
    assertThat(usage.underReported()).isTrue();
    assertThat(usage.outputToCharge()).isEqualTo(400);
    Usage honest = new Usage();
    honest.counted(400);
    honest.reported(12, 380); // within the tokenizers' tolerance (a tenth)
    assertThat(honest.underReported()).isFalse();
    assertThat(honest.outputToCharge()).isEqualTo(380);
    Usage more = new Usage();
    more.counted(10);
    more.reported(12, 30); // reasoning tokens the stream never showed: the report counts
    assertThat(more.outputToCharge()).isEqualTo(30);
  }

  private static Charge zero(Charge c) {
    return new Charge(c.key(), c.kind(), c.limit(), c.windowMs(), 0);
  }
}
