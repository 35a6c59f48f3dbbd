package io.portcullis.limit;

import static io.portcullis.limit.LimiterTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.portcullis.config.LimitsConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leases on the shared counters, against a real redis-server: a busy caller is decided without a
 * round trip, nothing is admitted that Redis has not counted, and what is left goes back.
 */
class LeasedLimiterTest {

  static RedisServer server;
  static Vertx vertx;
  static RedisAPI api;

  @BeforeAll
  static void start() throws Exception {
    server = new RedisServer();
    vertx = Vertx.vertx();
    api = RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()).setMaxPoolSize(16)));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  /** 100 days: no window ends while a test runs (a window's end would split the counts). */
  static final long LONG_WINDOW = 8_640_000_000L;

  static LeasedLimiter leased(double share, Duration time) throws Exception {
    RedisLimiter redis = new RedisLimiter(api, Duration.ofSeconds(2));
    await(redis.load());
    LimitsConfig.Lease config = new LimitsConfig.Lease(share, time);
    return new LeasedLimiter(redis, () -> config);
  }

  /** As the limit stage asks: from what is held, else Redis. */
  static Decision decide(Limiter limiter, List<Charge> charges) throws Exception {
    Decision held = limiter.fromHeld(charges, System.nanoTime());
    return held != null ? held : await(limiter.acquire(charges));
  }

  /** What Redis has counted in a window of a limit's hash. */
  static long counted(String key, long window) throws Exception {
    String v = LimiterTest.bulk(server.port, "HGET " + key + " " + window);
    return v == null ? 0 : Long.parseLong(v);
  }

  @Test
  void aBusyCallersNextRequestsAreDecidedFromItsLeaseWithoutRedis() throws Exception {
    LeasedLimiter limiter = leased(0.01, Duration.ofMinutes(1));
    Charge c = LimiterTest.requests("lease-a", 10_000, LONG_WINDOW);
    Decision first = decide(limiter, List.of(c));
    assertThat(first.mode()).isEqualTo(Decision.Mode.REDIS);
    long window = first.states().get(0).window();
    assertThat(counted(c.key(), window)).as("the request and a lease of 1% of the limit").isEqualTo(101);
    assertThat(limiter.held(c.key())).isEqualTo(100);
    for (int i = 0; i < 100; i++) {
      Decision d = decide(limiter, List.of(c));
      assertThat(d.mode()).as("request %d", i).isEqualTo(Decision.Mode.LEASE);
      assertThat(d.allowed()).isTrue();
      assertThat(d.states().get(0).remaining()).isEqualTo(10_000 - 101 + 99 - i);
    }
    assertThat(counted(c.key(), window)).as("no call for the leased ones").isEqualTo(101);
    Decision next = decide(limiter, List.of(c));
    assertThat(next.mode()).as("the lease ran out: Redis again, with a new lease").isEqualTo(Decision.Mode.REDIS);
    assertThat(counted(c.key(), window)).isEqualTo(202);
  }

  @Test
  void whatIsLeftOfALeaseGoesBackWhenItEnds() throws Exception {
    LeasedLimiter limiter = leased(0.01, Duration.ofMillis(50));
    Charge c = LimiterTest.requests("lease-b", 10_000, LONG_WINDOW);
    long window = decide(limiter, List.of(c)).states().get(0).window();
    decide(limiter, List.of(c));
    assertThat(counted(c.key(), window)).isEqualTo(101);
    Thread.sleep(80);
    assertThat(limiter.fromHeld(List.of(c), System.nanoTime())).as("an ended lease admits nothing").isNull();
    limiter.endLeases();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (counted(c.key(), window) != 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(counted(c.key(), window)).as("two admitted, the 99 unused given back").isEqualTo(2);
    assertThat(limiter.held(c.key())).isZero();
  }

  @Test
  void smallLimitsConcurrencyAndPacedLimitsAreNeverLeased() throws Exception {
    LeasedLimiter limiter = leased(0.001, Duration.ofMinutes(1));
    Charge small = LimiterTest.requests("lease-c", 1_999, LONG_WINDOW); // 0.001 of it is under 2
    Charge concurrent = Charge.concurrent("rl:{lease-c}:p:concurrent", "concurrent", 1_000_000, 60_000, "m1");
    Charge paced = new Charge("rl:{lease-c}:p:paced", "requests", 1_000_000, LONG_WINDOW, 1, null, 100);
    for (Charge c : List.of(small, concurrent, paced)) {
      assertThat(limiter.leaseSize(c)).as(c.kind()).isZero();
      for (int i = 0; i < 3; i++) {
        assertThat(decide(limiter, List.of(c)).mode()).isEqualTo(Decision.Mode.REDIS);
      }
    }
    assertThat(counted(small.key(), decide(limiter, List.of(small)).states().get(0).window())).isEqualTo(4);
  }

  @Test
  void aRequestIsDecidedFromLeasesOnlyWhenEveryLimitHasOneWithRoom() throws Exception {
    LeasedLimiter limiter = leased(0.01, Duration.ofMinutes(1));
    Charge requests = LimiterTest.requests("lease-d", 100_000, LONG_WINDOW);
    Charge tokens = new Charge("rl:{lease-d}:p:tokens", "tokens", 100_000, LONG_WINDOW, 600);
    Decision first = decide(limiter, List.of(requests, tokens));
    assertThat(first.mode()).isEqualTo(Decision.Mode.REDIS);
    assertThat(limiter.held(tokens.key())).isEqualTo(1000);
    assertThat(decide(limiter, List.of(requests, tokens)).mode()).isEqualTo(Decision.Mode.LEASE); // 400 tokens left
    assertThat(decide(limiter, List.of(requests, tokens)).mode()).as("600 tokens do not fit in 400").isEqualTo(Decision.Mode.REDIS);
    // the second Redis decision's lease joined what was left of the first (same window)
    assertThat(limiter.held(tokens.key())).isEqualTo(1400);
    assertThat(limiter.held(requests.key())).isEqualTo(1999);
  }

  @Test
  void theLeaseSettingsInForceApplyToTheNextCallAReloadNeedsNoRestart() throws Exception {
    RedisLimiter redis = new RedisLimiter(api, Duration.ofSeconds(2));
    java.util.concurrent.atomic.AtomicReference<LimitsConfig.Lease> config =
        new java.util.concurrent.atomic.AtomicReference<>(new LimitsConfig.Lease(0.01, Duration.ofMinutes(1)));
    LeasedLimiter limiter = new LeasedLimiter(redis, config::get);
    Charge c = LimiterTest.requests("lease-r", 10_000, LONG_WINDOW);
    long window = decide(limiter, List.of(c)).states().get(0).window();
    assertThat(limiter.held(c.key())).isEqualTo(100);
    config.set(new LimitsConfig.Lease(0, Duration.ofMinutes(1))); // leases off
    for (int i = 0; i < 100; i++) {
      decide(limiter, List.of(c)); // what is held still serves: it is counted
    }
    assertThat(decide(limiter, List.of(c)).mode()).isEqualTo(Decision.Mode.REDIS);
    assertThat(limiter.held(c.key())).as("no new lease").isZero();
    assertThat(counted(c.key(), window)).isEqualTo(102);
  }

  /**
   * Property: several event loops (of several instances) share one Redis and one limit, each taking
   * leases and deciding from them, in random order with random costs and lease shares. Whatever the
   * order, no more is admitted than the limit; once the leases have gone back, Redis holds exactly
   * what was admitted; and demand past the limit is refused only while leases held elsewhere could
   * still have served it (admitted >= limit - what the others held).
   */
  @Test
  void leasesNeverLetMoreThroughThanTheLimitAndWhatIsLeftGoesBack() throws Exception {
    Random rnd = new Random(42);
    for (int round = 0; round < 12; round++) {
      long limit = 200 + rnd.nextInt(5000);
      double share = 0.005 + rnd.nextDouble() * 0.095;
      int loops = 2 + rnd.nextInt(5);
      List<LeasedLimiter> limiters = new ArrayList<>();
      for (int i = 0; i < loops; i++) {
        limiters.add(leased(share, Duration.ofMinutes(1)));
      }
      String key = "rl:{lease-p" + round + "}:p:tokens";
      long admitted = 0;
      long window = -1;
      int refusedInARow = 0;
      while (refusedInARow < 50) {
        long cost = 1 + rnd.nextInt(Math.max(1, (int) (limit / 50)));
        Charge c = new Charge(key, "tokens", limit, LONG_WINDOW, cost);
        Decision d = decide(limiters.get(rnd.nextInt(loops)), List.of(c));
        if (d.allowed()) {
          admitted += cost;
          window = d.states().get(0).window();
          refusedInARow = 0;
        } else {
          refusedInARow++;
        }
        assertThat(admitted).as("round %d: limit %d, share %.3f, %d loops", round, limit, share, loops).isLessThanOrEqualTo(limit);
      }
      long heldElsewhere = 0;
      for (LeasedLimiter l : limiters) {
        heldElsewhere += l.held(key);
      }
      long largestCost = Math.max(1, limit / 50);
      assertThat(admitted).as("round %d: refused only for lack of room or for leases held", round)
          .isGreaterThanOrEqualTo(limit - heldElsewhere - largestCost);
      assertThat(counted(key, window)).as("round %d: Redis counts what was admitted and what is held", round)
          .isEqualTo(admitted + heldElsewhere);
    }
  }
}
