package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
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
import org.junit.jupiter.api.Test;

/** Limits end to end: headers, token reservations and settlement, Redis failure modes, several instances. */
class LimitTest {

  static String config(String policy, String redisUrl) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        REDIS
        auth: {enabled: false}
        limits:
          expected_instances: 1
          policies:
            p: POLICY
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
          - {name: long, targets: [{provider: mock, model: "m@tokens=60;rate=0"}]}
          - {name: slow, targets: [{provider: mock, model: "m@tokens=15;rate=10"}]}
        """.replace("POLICY", policy).replace("REDIS", redisUrl == null ? ""
            : redisUrl.startsWith("[") ? "redis: {cluster: " + redisUrl + ", timeout: 200ms}"
            : "redis: {url: \"" + redisUrl + "\", timeout: 200ms}");
  }

  /** With auth off each client address is a caller with the default roles: give them policy p. */
  static String withPolicy(String config) {
    return config.replace("auth: {enabled: false}",
        "auth: {enabled: false, roles: [{name: r, models: [\"*\"], limit: p}], default_roles: [r]}");
  }

  @Test
  void requestLimitsSpeakTheStandardHeadersAndA429() throws Exception {
    try (GatewayFixture f = new GatewayFixture(withPolicy(config("{requests: {limit: 3, window: 1m}}", null)))) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> ok = f.post("/v1/chat/completions", chat("chat", false, "hi"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
        assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(String.valueOf(2 - i));
        assertThat(ok.headers().firstValue("x-ratelimit-reset-requests").orElseThrow()).matches("(\\d+m)?\\d+s|\\d+ms");
        assertThat(ok.headers().firstValue("ratelimit-policy")).hasValue("\"requests\";q=3;w=60");
        assertThat(ok.headers().firstValue("ratelimit").orElseThrow()).matches("\"requests\";r=" + (2 - i) + ";t=\\d+");
      }
      HttpResponse<String> denied = f.post("/v1/chat/completions", chat("chat", false, "hi"));
      ApiTest.assertError(denied, 429, "rate_limit_exceeded");
      assertThat(new JsonObject(denied.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
      assertThat(Long.parseLong(denied.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 120L);
      assertThat(denied.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(f.mock.seen()).hasSize(3);
      // the deny cache answers the next one without the limiter, the same way
      HttpResponse<String> again = f.post("/v1/chat/completions", chat("chat", false, "hi"));
      ApiTest.assertError(again, 429, "rate_limit_exceeded");
      assertThat(again.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(again.headers().firstValue("ratelimit-policy")).hasValue("\"requests\";q=3;w=60");
      // one number everywhere: the message, Retry-After and the RateLimit header's t
      for (HttpResponse<String> r : List.of(denied, again)) {
        assertOneRetryTime(r);
      }
    }
  }

  /** A 429's message, Retry-After, RateLimit t and x-ratelimit-reset of its exhausted limit agree. */
  static void assertOneRetryTime(HttpResponse<String> r) {
    String retry = r.headers().firstValue("retry-after").orElseThrow();
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).endsWith("retry after " + retry + " s");
    assertThat(r.headers().firstValue("ratelimit").orElseThrow()).contains("\"requests\";r=0;t=" + retry);
    assertThat(r.headers().firstValue("x-ratelimit-reset-requests").orElseThrow())
        .isEqualTo(openAiDuration(Long.parseLong(retry)));
  }

  /** OpenAI's duration form of whole seconds under an hour: 5s, 1m4s. */
  static String openAiDuration(long s) {
    return (s >= 60 ? s / 60 + "m" : "") + s % 60 + "s";
  }

  @Test
  void perModelLimitsOutputTokensAndTheBurstGuardShareOneCall() throws Exception {
    // the policy: a burst guard on requests, output tokens per minute, and a tighter limit for the
    // "long" model counted apart from the others; all in one Redis call per request
    try (RedisServer redis = new RedisServer();
        GatewayFixture f = new GatewayFixture(withPolicy(config("{requests: {limit: 600, window: 1m, burst: 4}, "
            + "output_tokens: {limit: 1000, window: 1m}, models: {\"lo*\": {requests: {limit: 2, window: 1m}}}}", redis.url())))) {
      String body = "{\"model\":\"chat\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpResponse<String> ok = f.post("/v1/chat/completions", body);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-ratelimit-limit-output-tokens")).hasValue("1000");
      // the reservation is max_tokens alone (no prompt in an output limit)
      assertThat(ok.headers().firstValue("x-ratelimit-remaining-output-tokens")).hasValue("900");
      assertThat(ok.headers().firstValue("x-ratelimit-limit-model-requests")).isEmpty(); // "chat" has no model entry
      long used = new JsonObject(ok.body()).getJsonObject("usage").getLong("completion_tokens");
      // the model entry: two requests to "long", then 429, while "chat" still passes
      String longBody = body.replace("\"chat\"", "\"long\"");
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = f.post("/v1/chat/completions", longBody);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-ratelimit-remaining-model-requests")).hasValue(String.valueOf(1 - i));
        used += new JsonObject(r.body()).getJsonObject("usage").getLong("completion_tokens");
      }
      ApiTest.assertError(f.post("/v1/chat/completions", longBody), 429, "rate_limit_exceeded");
      HttpResponse<String> other = f.post("/v1/chat/completions", body);
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(redis.command("KEYS rl:{*}:p:model:lo[*]:requests")).isEqualTo("*1"); // under the caller's hash tag
      // every earlier reservation was settled to its real output (the corrections rode along)
      assertThat(other.headers().firstValue("x-ratelimit-remaining-output-tokens")).hasValue(String.valueOf(1000 - used - 100));

      // the burst guard: 600 a minute is one per 100 ms; 4 at once, then paced
      redis.command("FLUSHALL");
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        long start = System.nanoTime();
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          calls.add(pool.submit(() -> f.post("/v1/chat/completions", body)));
        }
        int admitted = 0;
        for (Future<HttpResponse<String>> c : calls) {
          HttpResponse<String> r = c.get(10, TimeUnit.SECONDS);
          if (r.statusCode() == 200) {
            admitted++;
          } else {
            ApiTest.assertError(r, 429, "rate_limit_exceeded");
            assertThat(r.headers().firstValue("retry-after")).hasValue("1"); // a sub-second wait rounds up to 1 s
          }
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(admitted).as("admitted in %d ms", elapsedMs).isBetween(4, (int) (4 + elapsedMs / 100 + 1));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aCallerFlaggedForABurstRunsOnTightenedLimits() throws Exception {
    String text = withPolicy(config("{requests: {limit: 100, window: 1m}}", null)).replace("limits:",
        "observe: {anomaly: {interval: 1s, half_life: 1s, warmup: 2, min_requests: 5, threshold: 3, tighten: 0.5, cooldown: 1m}}\nlimits:")
        .replace("admin: {enabled: false}", "admin: {host: 127.0.0.1, port: 0}");
    try (GatewayFixture f = new GatewayFixture(text)) {
      for (int i = 0; i < 3; i++) { // a baseline of one request a second
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi")).headers().firstValue("x-ratelimit-limit-requests"))
            .hasValue("100");
        Thread.sleep(1000);
      }
      String limit = null;
      for (int i = 0; i < 12; i++) { // then a burst: flagged at the 5th request of the second
        limit = f.post("/v1/chat/completions", chat("chat", false, "hi")).headers().firstValue("x-ratelimit-limit-requests").orElseThrow();
      }
      assertThat(limit).isEqualTo("50"); // 100 x tighten 0.5, for the cool-down
      // flagged (once, or twice when the burst straddles two intervals of 1 s)
      assertThat(f.getAdmin("/metrics").body()).containsPattern("portcullis_usage_anomalies_total\\{kind=\"requests\"} [12]\\.0");
    }
  }

  @Test
  void tokensAreReservedBeforeAndSettledAfter() throws Exception {
    // 400 tokens a minute; each request reserves its prompt + 150 (max_tokens) but uses ~30
    try (GatewayFixture f = new GatewayFixture(withPolicy(config("{tokens: {limit: 400, window: 1m}}", null)))) {
      String body = "{\"model\":\"chat\",\"max_tokens\":150,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      for (int i = 0; i < 8; i++) { // without settlement only 2 would fit
        HttpResponse<String> ok = f.post("/v1/chat/completions", body);
        assertThat(ok.statusCode()).as("request %d: %s", i, ok.body()).isEqualTo(200);
      }
      // a request that could use more than the whole budget never fits
      ApiTest.assertError(f.post("/v1/chat/completions",
          "{\"model\":\"chat\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 429, "rate_limit_exceeded");
      // streams: the gateway asks for usage to settle, and strips the chunk the client did not ask for
      HttpResponse<String> plain = f.post("/v1/chat/completions", chat("chat", true, "hi").replace("\"stream\":true", "\"stream\":true,\"max_tokens\":50"));
      assertThat(plain.statusCode()).isEqualTo(200);
      assertThat(f.mock.last().body()).contains("\"include_usage\":true");
      assertThat(events(plain.body()).stream().map(e -> e.data()).filter(d -> d != null && d.contains("\"usage\":{"))).isEmpty();
      HttpResponse<String> asked = f.post("/v1/chat/completions", chat("chat", true, "hi")
          .replace("\"stream\":true", "\"stream\":true,\"max_tokens\":50,\"stream_options\":{\"include_usage\":true}"));
      assertThat(events(asked.body()).stream().map(e -> e.data()).filter(d -> d != null && d.contains("\"usage\":{"))).hasSize(1);
    }
  }

  @Test
  void aRequestForAnUnknownModelIsRefusedBeforeAnythingIsCharged() throws Exception {
    // the model is resolved before the limit stage: ten refusals cost nothing of 400 tokens a minute
    try (GatewayFixture f = new GatewayFixture(withPolicy(config("{tokens: {limit: 400, window: 1m}}", null)))) {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> unknown = f.post("/v1/chat/completions",
            "{\"model\":\"no-such-model\",\"max_tokens\":150,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        ApiTest.assertError(unknown, 404, "model_not_found");
        assertThat(unknown.headers().firstValue("x-ratelimit-limit-tokens")).isEmpty();
      }
      HttpResponse<String> ok = f.post("/v1/chat/completions",
          "{\"model\":\"chat\",\"max_tokens\":150,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(ok.statusCode()).isEqualTo(200);
      long remaining = Long.parseLong(ok.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
      assertThat(remaining).as("only this request's reservation is spent").isGreaterThan(400 - 150 - 30);
    }
  }

  @Test
  void aTeamSharesItsLimitAndARefusedSideIsRefunded() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      java.nio.file.Path keyFile = java.nio.file.Files.createTempFile("keys", ".yaml");
      String[] k1 = io.portcullis.auth.ApiKeyFormat.generate();
      String[] k2 = io.portcullis.auth.ApiKeyFormat.generate();
      String[] k3 = io.portcullis.auth.ApiKeyFormat.generate();
      java.time.Instant now = java.time.Instant.now();
      io.portcullis.config.KeyFile.write(keyFile, List.of(
          new io.portcullis.config.StoredKey(k1[1], k1[2], "u1", "t1", List.of("r"), now, null, false),
          new io.portcullis.config.StoredKey(k2[1], k2[2], "u2", "t1", List.of("r"), now, null, false),
          new io.portcullis.config.StoredKey(k3[1], k3[2], "u3", "t2", List.of("r"), now, null, false)));
      String text = config("{requests: {limit: 5, window: 1m}, daily_tokens: 100000, team: {requests: {limit: 3, window: 1m}}}", redis.url())
          .replace("auth: {enabled: false}", "auth: {enabled: true, api_keys: {file: \"" + keyFile + "\"}, "
              + "roles: [{name: r, models: [\"*\"], limit: p}]}");
      try (GatewayFixture f = new GatewayFixture(text)) {
        Map<String, String> u1 = Map.of("authorization", "Bearer " + k1[0]);
        Map<String, String> u2 = Map.of("authorization", "Bearer " + k2[0]);
        Map<String, String> u3 = Map.of("authorization", "Bearer " + k3[0]);
        HttpResponse<String> first = f.post("/v1/chat/completions", chat("chat", false, "hi"), u1);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-team-requests")).hasValue("3");
        assertThat(first.headers().firstValue("x-ratelimit-limit-tokens-day")).hasValue("100000");
        assertThat(first.headers().firstValue("ratelimit-policy").orElseThrow())
            .isEqualTo("\"requests\";q=5;w=60, \"tokens_day\";q=100000;w=86400, \"team_requests\";q=3;w=60");
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), u1).statusCode()).isEqualTo(200);
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), u2).statusCode()).isEqualTo(200);
        // the team's 3 are spent: u2's own limit had room, so that side is given back
        ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "hi"), u2), 429, "rate_limit_exceeded");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String counted;
        do {
          counted = redis.command("EVAL \"local t=0 for _,v in ipairs(redis.call('HVALS',KEYS[1])) do t=t+tonumber(v) end return t\" 1 rl:{u2}:p:requests");
        } while (!":1".equals(counted) && System.nanoTime() < deadline);
        assertThat(counted).isEqualTo(":1");
        // another team is not affected
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), u3).statusCode()).isEqualTo(200);
        // the daily quota is charged in tokens and settled to the usage reported
        assertThat(redis.command("EXISTS rl:{u1}:p:tokens_day")).isEqualTo(":1");
      }
    }
  }

  @Test
  void concurrentStreamsAreCappedAndTheirPlacesComeBack() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      for (String url : java.util.Arrays.asList(null, redis.url())) {
        try (GatewayFixture f = new GatewayFixture(withPolicy(config("{concurrent: 2, requests: {limit: 1000, window: 1m}}", url)))) {
          java.net.http.HttpRequest slow = java.net.http.HttpRequest.newBuilder(f.uri("/v1/chat/completions"))
              .header("content-type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat("slow", true, "hi"))).build();
          var one = f.http.sendAsync(slow, HttpResponse.BodyHandlers.ofString());
          var two = f.http.sendAsync(slow, HttpResponse.BodyHandlers.ofString());
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          while (f.mock.streamsStarted.get() < 2 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10); // until both streams are running upstream
          }
          HttpResponse<String> third = f.post("/v1/chat/completions", chat("slow", true, "hi"));
          ApiTest.assertError(third, 429, "rate_limit_exceeded");
          // a request that does not stream takes no place
          assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi")).statusCode()).isEqualTo(200);
          assertThat(one.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
          assertThat(two.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
          // both ended: their places are free again
          deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
          int status;
          do {
            status = f.post("/v1/chat/completions", chat("chat", true, "hi")).statusCode();
          } while (status != 200 && System.nanoTime() < deadline);
          assertThat(status).as(url == null ? "local" : "redis").isEqualTo(200);
        }
      }
    }
  }

  @Test
  void aBigPromptIsCountedToo() throws Exception {
    // over 32 KiB the prompt is tokenized on a worker; the reservation must still hold all of it
    try (GatewayFixture f = new GatewayFixture(withPolicy(config("{tokens: {limit: 1000000, window: 1m}, default_max_tokens: 10}", null)))) {
      String big = "the gateway counts every token of a long prompt. ".repeat(1000); // ~49 KB, ~10k tokens
      HttpResponse<String> res = f.post("/v1/chat/completions", chat("chat", false, big));
      assertThat(res.statusCode()).isEqualTo(200);
      long remaining = Long.parseLong(res.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
      assertThat(1_000_000 - remaining).isBetween(9_000L, 12_000L);
    }
  }

  @Test
  void aStreamPastTheRemainingTokenBudgetIsCut() throws Exception {
    // 50 tokens a minute; the stream reserves its prompt + 20 (no max_tokens) and may use the 20
    // plus what is left, but the model goes on for 60 tokens
    try (GatewayFixture f = new GatewayFixture(withPolicy(config("{tokens: {limit: 50, window: 1m}, default_max_tokens: 20}", null)))) {
      HttpResponse<String> res = f.post("/v1/chat/completions", chat("long", true, "hi"));
      assertThat(res.statusCode()).isEqualTo(200);
      List<String> data = events(res.body()).stream().map(e -> e.data()).filter(d -> d != null).toList();
      assertThat(data).doesNotContain("[DONE]");
      JsonObject last = new JsonObject(data.get(data.size() - 1));
      assertThat(last.getJsonObject("error").getString("code")).isEqualTo("token_budget_exhausted");
      long content = data.stream().filter(d -> d.contains("\"content\":\"")).count();
      assertThat(content).isBetween(20L, 45L);
    }
  }

  @Test
  void redisFailureFollowsEachPolicysMode() throws Exception {
    for (String mode : List.of("local", "open", "closed")) {
      RedisServer redis = new RedisServer();
      String text = withPolicy(config("{requests: {limit: 1000, window: 1m}, on_redis_failure: " + mode + "}", redis.url()));
      try (GatewayFixture f = new GatewayFixture(text)) {
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi")).statusCode()).isEqualTo(200);
        assertThat(redis.command("EXISTS rl:{ip:127.0.0.1}:p:requests")).isEqualTo(":1");
        redis.close(); // Redis goes away mid-service
        long start = System.nanoTime();
        HttpResponse<String> res = f.post("/v1/chat/completions", chat("chat", false, "hi"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        if (mode.equals("closed")) {
          ApiTest.assertError(res, 503, "rate_limiter_unavailable");
        } else {
          assertThat(res.statusCode()).as(mode).isEqualTo(200);
          assertThat(res.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1000");
        }
        // Redis comes back on the same address: shared limiting resumes without a restart
        redis = new RedisServer(redis.port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!":1".equals(redis.command("EXISTS rl:{ip:127.0.0.1}:p:requests")) && System.nanoTime() < deadline) {
          assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi")).statusCode()).isEqualTo(200);
          TimeUnit.MILLISECONDS.sleep(100); // the breaker probes Redis again after its open time
        }
        assertThat(redis.command("EXISTS rl:{ip:127.0.0.1}:p:requests")).as(mode).isEqualTo(":1");
      } finally {
        redis.close();
      }
    }
  }

  @Test
  void threeInstancesShareOneLimitThroughRedis() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      assertAccurateAcrossThreeInstances(redis.url());
    }
  }

  @Test
  void threeInstancesShareOneLimitThroughARedisCluster() throws Exception {
    try (io.portcullis.RedisCluster cluster = new io.portcullis.RedisCluster()) {
      assertAccurateAcrossThreeInstances(cluster.seeds());
      // every counter of a caller lives in one slot, on one node
      long holders = cluster.nodes.stream().filter(n -> !":0".equals(n.command("DBSIZE"))).count();
      assertThat(holders).isEqualTo(1);
    }
  }

  @Test
  void readinessFollowsRedisWhenAPolicyCannotDoWithoutIt() throws Exception {
    RedisServer redis = new RedisServer();
    String text = withPolicy(config("{requests: {limit: 1000, window: 1m}, on_redis_failure: closed}", redis.url()))
        .replace("admin: {enabled: false}", "admin: {host: 127.0.0.1, port: 0}");
    try (GatewayFixture f = new GatewayFixture(text)) {
      awaitReady(f, 200, "up");
      redis.close();
      awaitReady(f, 503, "down");
      redis = new RedisServer(redis.port);
      awaitReady(f, 200, "up");
    } finally {
      redis.close();
    }
  }

  static void awaitReady(GatewayFixture f, int status, String redisState) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<String> res;
    do {
      res = f.getAdmin("/readyz");
      if (res.statusCode() == status && new JsonObject(res.body()).getString("redis").equals(redisState)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100); // the admin server checks Redis once a second
    } while (System.nanoTime() < deadline);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    assertThat(new JsonObject(res.body()).getString("redis")).isEqualTo(redisState);
  }

  @Test
  void aFrozenRedisCostsADeadlineNotAnOutage() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      String text = withPolicy(config("{requests: {limit: 1000, window: 1m}, on_redis_failure: local}", redis.url()));
      try (GatewayFixture f = new GatewayFixture(text)) {
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi")).statusCode()).isEqualTo(200);
        redis.pause();
        for (int i = 0; i < 5; i++) {
          long start = System.nanoTime();
          HttpResponse<String> res = f.post("/v1/chat/completions", chat("chat", false, "hi"));
          assertThat(res.statusCode()).isEqualTo(200);
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1500); // deadline 200 ms
        }
        redis.resume();
      }
    }
  }

  /**
   * Leases end to end: three instances, a limit large enough to be leased (1% of 3,000: 30 at a
   * time), more demand than the limit. No more than the limit is admitted across them, most
   * decisions are made from leases (metrics and access log say so), and what the leases held
   * unused when the demand stopped is all that can be missing.
   */
  @Test
  void leasesKeepThreeInstancesWithinTheLimitWithoutARoundTripPerRequest() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      String text = withPolicy(config("{requests: {limit: 3000, window: 1h}}", redis.url()))
          .replace("  expected_instances: 1\n", "  expected_instances: 1\n  lease: {share: 0.01}\n");
      try (GatewayFixture a = new GatewayFixture(text); GatewayFixture b = new GatewayFixture(text);
          GatewayFixture c = new GatewayFixture(text)) {
        List<GatewayFixture> gateways = List.of(a, b, c);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          GatewayFixture g = gateways.get(t % 3);
          clients.add(pool.submit(() -> {
            for (int i = 0; i < 550; i++) { // 3,300 in all
              int status = g.post("/v1/chat/completions", chat("chat", false, "hi"), Map.of()).statusCode();
              (status == 200 ? admitted : refused).incrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> client : clients) {
          client.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(admitted.get() + refused.get()).isEqualTo(3300);
        assertThat(admitted.get()).isLessThanOrEqualTo(3000).isGreaterThanOrEqualTo(3000 - 3 * 30);
        long leased = 0;
        long viaRedis = 0;
        for (GatewayFixture g : gateways) {
          for (String line : g.metrics.scrape().split("\n")) {
            if (line.startsWith("portcullis_ratelimit_decisions_total") && line.contains("outcome=\"allowed\"")) {
              long n = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
              if (line.contains("mode=\"lease\"")) {
                leased += n;
              } else if (line.contains("mode=\"redis\"")) {
                viaRedis += n;
              }
            }
          }
        }
        assertThat(leased + viaRedis).isEqualTo(admitted.get());
        assertThat(leased).as("most admissions come from leases").isGreaterThan(admitted.get() * 8L / 10);
      }
    }
  }

  static void assertAccurateAcrossThreeInstances(String redisUrl) throws Exception {
    {
      String text = withPolicy(config("{requests: {limit: 20, window: 2s}}", redisUrl));
      try (GatewayFixture a = new GatewayFixture(text); GatewayFixture b = new GatewayFixture(text);
          GatewayFixture c = new GatewayFixture(text)) {
        List<GatewayFixture> gateways = List.of(a, b, c);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        ConcurrentLinkedQueue<Long> admitted = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        List<Future<?>> clients = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          GatewayFixture g = gateways.get(t % 3);
          clients.add(pool.submit(() -> {
            while (System.nanoTime() < end) {
              HttpResponse<String> r = g.post("/v1/chat/completions", chat("chat", false, "hi"), Map.of());
              if (r.statusCode() == 200) {
                admitted.add(System.nanoTime());
              }
              TimeUnit.MILLISECONDS.sleep(20); // client pacing on the test's own threads
            }
            return null;
          }));
        }
        for (Future<?> client : clients) {
          client.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        long[] times = admitted.stream().mapToLong(Long::longValue).sorted().toArray();
        int worst = 0;
        for (int i = 0, j = 0; i < times.length; i++) {
          while (times[i] - times[j] >= TimeUnit.SECONDS.toNanos(2)) {
            j++;
          }
          worst = Math.max(worst, i - j + 1);
        }
        // about 6 s at several times the limit: the three instances together admit about 20 per
        // 2 s, never more than the weighted counter's bound (2x) in any trailing window
        assertThat(worst).isLessThanOrEqualTo(40);
        assertThat(times.length).isBetween(45, 85);
      }
    }
  }
}
