package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Budgets in money, end to end: reserved before the call at the model's price (prompt counted and
 * max_tokens), settled to what the usage cost, in the limiter's own counters (one script, one
 * round trip): three instances on one Redis spend exactly what their answers cost and never more
 * than the budget; a 429 {@code budget_exceeded} says when there is room again; a stream that runs
 * past the budget is cut; a team's budget is shared by its members.
 */
class BudgetTest {

  /** $1000 and $2000 per million tokens: a prompt token costs 1,000 millionths of a dollar, a completion token 2,000. */
  static final long IN = 1000;
  static final long OUT = 2000;

  static String config(String policy, String redisUrl) {
    return LimitTest.withPolicy(LimitTest.config(policy, redisUrl)).replace("""
        providers:
        """, """
        prices: {"up-*": {input: 1000, output: 2000}}
        providers:
        """).replace("""
        models:
        """, """
        models:
          - {name: priced, targets: [{provider: mock, model: "up-m@tokens=6;rate=0"}]}
          - {name: priced-overrun, targets: [{provider: mock, model: "up-m@ignore_max_tokens=1;tokens=400;rate=0"}]}
        """).replace("{name: chat, targets: [{provider: mock, model: m}]}", "{name: chat, targets: [{provider: mock, model: up-chat}]}")
        .replace("\"m@tokens=60;rate=0\"", "\"up-long@tokens=60;rate=0\"").replace("\"m@tokens=15;rate=10\"", "\"up-slow@tokens=15;rate=10\"");
  }

  /** What an answer cost, in millionths of a dollar, from the usage it reports. */
  static long cost(HttpResponse<String> res) {
    JsonObject usage = new JsonObject(res.body()).getJsonObject("usage");
    return usage.getLong("prompt_tokens") * IN + usage.getLong("completion_tokens") * OUT;
  }

  /** The sum of a sliding-window counter's windows, read from Redis with redis-cli. */
  static long counter(RedisServer redis, String key) throws Exception {
    Process p = new ProcessBuilder("redis-cli", "-p", String.valueOf(redis.port), "--no-raw", "HGETALL", key)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    List<String> values = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+\\) \"([^\"]*)\"").matcher(out);
    while (m.find()) {
      values.add(m.group(1));
    }
    long sum = 0;
    for (int i = 0; i + 1 < values.size(); i += 2) {
      if (values.get(i).matches("\\d+")) { // a window's number (the GCRA field is 't')
        sum += Long.parseLong(values.get(i + 1));
      }
    }
    return sum;
  }

  @Test
  void threeInstancesSpendExactlyWhatTheirAnswersCostAndNeverMoreThanTheBudget() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      // $0.50 a day: each request reserves its prompt + 20 of max_tokens (about 50,000) and costs about 11,000
      String text = config("{daily_usd: 0.5, default_max_tokens: 20}", redis.url());
      try (GatewayFixture a = new GatewayFixture(text); GatewayFixture b = new GatewayFixture(text);
          GatewayFixture c = new GatewayFixture(text)) {
        List<GatewayFixture> gateways = List.of(a, b, c);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        ConcurrentLinkedQueue<Long> costs = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          GatewayFixture g = gateways.get(t % 3);
          clients.add(pool.submit(() -> {
            int refusedInARow = 0;
            while (refusedInARow < 3) {
              HttpResponse<String> r = g.post("/v1/chat/completions", chat("priced", false, "/echo spend some"), Map.of());
              if (r.statusCode() == 200) {
                costs.add(cost(r));
                refusedInARow = 0;
              } else {
                ApiTest.assertError(r, 429, "budget_exceeded");
                refused.incrementAndGet();
                refusedInARow++;
              }
            }
            return null;
          }));
        }
        for (Future<?> client : clients) {
          client.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long spent = costs.stream().mapToLong(Long::longValue).sum();
        long budget = 500_000;
        // every answer settled: the counter holds exactly what the answers cost (corrections that
        // found no later call to ride with go out within a second)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter(redis, "rl:{ip:127.0.0.1}:p:usd_day") != spent && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(counter(redis, "rl:{ip:127.0.0.1}:p:usd_day")).isEqualTo(spent);
        assertThat(spent).isLessThanOrEqualTo(budget);
        // a refusal while others' reservations were unsettled may have left room, which the three
        // remember refusing for up to 10 s (their deny caches): a fourth instance uses it, one at a time
        try (GatewayFixture d = new GatewayFixture(text)) {
          HttpResponse<String> r;
          while ((r = d.post("/v1/chat/completions", chat("priced", false, "/echo spend some"))).statusCode() == 200) {
            costs.add(cost(r));
          }
          ApiTest.assertError(r, 429, "budget_exceeded");
        }
        spent = costs.stream().mapToLong(Long::longValue).sum();
        System.out.printf("budget $0.50 across 3 instances and a 4th: %d answers served for $%.6f, %d refused%n",
            costs.size(), spent / 1e6, refused.get());
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter(redis, "rl:{ip:127.0.0.1}:p:usd_day") != spent && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(counter(redis, "rl:{ip:127.0.0.1}:p:usd_day")).isEqualTo(spent);
        assertThat(spent).isLessThanOrEqualTo(budget);
        // and the budget was used: a request is refused only when its reservation (the prompt as the
        // gateway counts it, and 20 completion tokens) does not fit
        long reservation = io.portcullis.limit.TokenCounter.prompt(io.portcullis.format.WireFormat.OPENAI_CHAT,
            new JsonObject(chat("priced", false, "/echo spend some"))) * IN + 20 * OUT;
        assertThat(spent).isGreaterThan(budget - reservation);
        // the refusal says when there is room again, in all three places the same
        HttpResponse<String> denied = a.post("/v1/chat/completions", chat("priced", false, "/echo more"));
        ApiTest.assertError(denied, 429, "budget_exceeded");
        long retry = Long.parseLong(denied.headers().firstValue("retry-after").orElseThrow());
        assertThat(retry).isBetween(1L, 2L * 86400);
        assertThat(new JsonObject(denied.body()).getJsonObject("error").getString("message")).contains(retry + " s");
        assertThat(denied.headers().firstValue("ratelimit-policy").orElseThrow()).contains("\"usd_day\";q=500000;w=86400");
        // other models are on the same budget: 100 tokens at most (200,000) cannot fit
        ApiTest.assertError(b.post("/v1/chat/completions", chat("chat", false, "hi").replace("{\"model\"", "{\"max_tokens\":100,\"model\"")),
            429, "budget_exceeded");
      }
    }
  }

  @Test
  void aStreamRunningPastTheBudgetIsCutAndTheNextRequestRefused() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      // $0.05: the stream reserves its prompt and 10 tokens, then claims 4 tokens (8,000) at a time
      String text = config("{daily_usd: 0.05, default_max_tokens: 10}", redis.url())
          .replace("  expected_instances: 1\n", "  expected_instances: 1\n  claim_increment: 4\n");
      try (GatewayFixture f = new GatewayFixture(text)) {
        HttpResponse<String> res = f.post("/v1/chat/completions", chat("priced-overrun", true, "hi"));
        assertThat(res.statusCode()).isEqualTo(200);
        List<SseEvent> events = events(res.body());
        String last = events.stream().filter(SseEvent::hasData).reduce((x, y) -> y).orElseThrow().data();
        assertThat(new JsonObject(last).getJsonObject("error").getString("code")).isEqualTo("budget_exceeded");
        String content = GatewayFixture.openAiText(events);
        long tokens = io.portcullis.limit.TokenCounter.count(content);
        // what was delivered fits the budget with the prompt's cost; the provider would have sent 400
        assertThat(tokens * OUT).isLessThanOrEqualTo(50_000);
        assertThat(tokens).isGreaterThanOrEqualTo(10);
        assertThat(counter(redis, "rl:{ip:127.0.0.1}:p:usd_day")).isLessThanOrEqualTo(50_000);
        ApiTest.assertError(f.post("/v1/chat/completions", chat("priced", false, "hi")), 429, "budget_exceeded");
      }
    }
  }

  @Test
  void aTeamsBudgetIsSharedByItsMembers() throws Exception {
    java.nio.file.Path keyFile = java.nio.file.Files.createTempFile("budget-keys", ".yaml");
    List<io.portcullis.config.StoredKey> stored = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (String user : List.of("ann", "ben")) {
      String[] k = io.portcullis.auth.ApiKeyFormat.generate();
      stored.add(new io.portcullis.config.StoredKey(k[1], k[2], user, "red", List.of("r"), java.time.Instant.now(), null, false));
      keys.add(k[0]);
    }
    io.portcullis.config.KeyFile.write(keyFile, stored);
    // each member may spend $1, the team $0.2 together
    String text = config("{daily_usd: 1, default_max_tokens: 20, team: {daily_usd: 0.2}}", null)
        .replace("auth: {enabled: false, roles: [{name: r, models: [\"*\"], limit: p}], default_roles: [r]}",
            "auth: {enabled: true, api_keys: {file: \"" + keyFile + "\"}, roles: [{name: r, models: [\"*\"], limit: p}]}");
    try (GatewayFixture f = new GatewayFixture(text)) {
      long spent = 0;
      int[] served = new int[2];
      HttpResponse<String> r = null;
      for (int i = 0; i < 200; i++) {
        r = f.post("/v1/chat/completions", chat("priced", false, "/echo spend some"), AuthTest.bearer(keys.get(i % 2)));
        if (r.statusCode() != 200) {
          break;
        }
        spent += cost(r);
        served[i % 2]++;
      }
      ApiTest.assertError(r, 429, "budget_exceeded");
      // both members spent from one budget; neither reached their own
      assertThat(served[0]).isGreaterThan(2);
      assertThat(served[1]).isGreaterThan(2);
      assertThat(spent).isLessThanOrEqualTo(200_000).isGreaterThan(200_000 - 60_000);
      assertThat(r.headers().firstValue("ratelimit-policy").orElseThrow()).contains("\"team_usd_day\";q=200000");
    }
  }

  @Test
  void aModelWithoutAPriceCannotBeUnderABudget() {
    String text = config("{daily_usd: 1}", null).replace("{name: chat, targets: [{provider: mock, model: up-chat}]}",
        "{name: chat, targets: [{provider: mock, model: nobody-prices-this}]}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewayFixture(text).close())
        .hasMessageContaining("'nobody-prices-this' has no price");
  }
}
