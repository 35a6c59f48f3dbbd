package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisCluster;
import io.portcullis.RedisServer;
import io.portcullis.limit.TokenCounter;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Token budgets against providers that overrun: a stream holds only the tokens it reserved or
 * claimed, so concurrent streams from one caller, on one instance or several sharing Redis (or a
 * Redis Cluster), deliver no more than the limit; the request's own {@code max_tokens} is a ceiling
 * in every client format; a provider that under-reports is charged what was counted; claims during
 * a Redis outage follow the policy's failure mode. Tokens are counted here with the gateway's
 * tokenizer, each delta on its own, as the gateway counts them.
 */
class TokenBudgetTest {

  /** Auth off: every request from this machine is one caller, under policy p. */
  static String config(String policy, String redis, String limits) {
    return LimitTest.withPolicy(LimitTest.config(policy, redis)).replace("""
        limits:
          expected_instances: 1
        """, "limits:\n  expected_instances: 1\n" + limits)
        .replace("""
            models:
            """, """
            models:
              - {name: overrun, targets: [{provider: mock, model: "m@ignore_max_tokens=1;tokens=400;rate=400"}]}
              - {name: overrun-fast, targets: [{provider: mock, model: "m@ignore_max_tokens=1;tokens=400;rate=0"}]}
              - {name: liar, targets: [{provider: mock, model: "m@usage_factor=0.1;tokens=200;rate=0"}]}
              - {name: honest, targets: [{provider: mock, model: "m@tokens=200;rate=0"}]}
              - {name: late, targets: [{provider: mock, model: "m@ignore_max_tokens=1;tokens=100;rate=100;ttfb=600"}]}
              - {name: claude-overrun, targets: [{provider: mock-anthropic, model: "m@ignore_max_tokens=1;tokens=400;rate=0"}]}
            """).replace("""
            providers:
            """, """
            providers:
              - {name: mock-anthropic, type: anthropic, base_url: "${MOCK_URL}"}
            """);
  }

  /** What one stream delivered: completion tokens (counted per delta), how it ended, its events. */
  record Delivered(long tokens, String end, List<SseEvent> events) {}

  static Delivered openAi(String body) {
    List<SseEvent> events = events(body);
    long tokens = 0;
    String end = "none";
    for (SseEvent e : events) {
      if (!e.hasData()) {
        continue;
      }
      if (e.isDone()) {
        end = end.equals("length") ? "length" : "done";
        continue;
      }
      JsonObject json = new JsonObject(e.data());
      if (json.getValue("error") instanceof JsonObject error) {
        end = "error:" + error.getString("code");
        continue;
      }
      JsonArray choices = json.getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        JsonObject choice = choices.getJsonObject(0);
        tokens += TokenCounter.count(choice.getJsonObject("delta").getString("content"));
        if ("length".equals(choice.getString("finish_reason"))) {
          end = "length";
        }
      }
    }
    return new Delivered(tokens, end, events);
  }

  static String streamBody(String model, String extra) {
    return chat(model, true, "hi").replace("\"stream\":true", "\"stream\":true" + extra);
  }

  @Test
  void theRequestsOwnMaxTokensIsACeilingInEveryFormat() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("{requests: {limit: 1000, window: 1m}}", null, ""))) {
      // OpenAI, max_tokens, with the usage the client asked for
      Delivered d = openAi(f.post("/v1/chat/completions", streamBody("overrun-fast",
          ",\"max_tokens\":10,\"stream_options\":{\"include_usage\":true}")).body());
      assertThat(d.end()).isEqualTo("length");
      assertThat(d.tokens()).isBetween(10L, 14L); // the bound plus the stated tolerance (4, or a tenth)
      JsonObject usage = null;
      for (SseEvent e : d.events()) {
        if (e.hasData() && !e.isDone() && new JsonObject(e.data()).getValue("usage") instanceof JsonObject u) {
          usage = u;
        }
      }
      assertThat(usage).as("the usage chunk the client asked for").isNotNull();
      assertThat(usage.getLong("completion_tokens")).isEqualTo(d.tokens());
      SseEvent last = d.events().get(d.events().size() - 1);
      assertThat(last.isDone()).isTrue();
      // max_completion_tokens, no usage asked: none sent
      Delivered c = openAi(f.post("/v1/chat/completions", streamBody("overrun-fast", ",\"max_completion_tokens\":25")).body());
      assertThat(c.end()).isEqualTo("length");
      assertThat(c.tokens()).isBetween(25L, 29L);
      assertThat(c.events()).noneMatch(e -> e.hasData() && e.data().contains("\"usage\":{"));
      // Anthropic: the block closed, stop_reason max_tokens with the usage, message_stop
      HttpResponse<String> a = f.post("/v1/messages", "{\"model\":\"claude-overrun\",\"stream\":true,\"max_tokens\":12,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      List<SseEvent> events = events(a.body());
      long tokens = 0;
      List<String> tail = new ArrayList<>();
      for (SseEvent e : events) {
        JsonObject data = new JsonObject(e.data());
        assertThat(data.getString("type")).isEqualTo(e.type());
        if ("content_block_delta".equals(e.type())) {
          tokens += TokenCounter.count(data.getJsonObject("delta").getString("text"));
        } else if ("message_delta".equals(e.type())) {
          assertThat(data.getJsonObject("delta").getString("stop_reason")).isEqualTo("max_tokens");
          assertThat(data.getJsonObject("usage").getLong("output_tokens")).isEqualTo(tokens);
        }
        tail.add(e.type());
      }
      assertThat(tokens).isBetween(12L, 16L);
      assertThat(tail.subList(tail.size() - 3, tail.size())).containsExactly("content_block_stop", "message_delta", "message_stop");
      // a whole answer past the bound cannot be cut: charged in full and flagged
      HttpResponse<String> whole = f.post("/v1/chat/completions", chat("overrun-fast", false, "hi").replace("}]", "}],\"max_tokens\":10"));
      assertThat(new JsonObject(whole.body()).getJsonObject("usage").getLong("completion_tokens")).isEqualTo(400);
      assertThat(f.metrics.registry().get("portcullis.completion.overruns").tag("action", "charged").counter().count()).isEqualTo(1);
      assertThat(f.metrics.registry().get("portcullis.completion.overruns").tag("action", "cut").counters().stream()
          .mapToDouble(io.micrometer.core.instrument.Counter::count).sum()).isEqualTo(3);
    }
    // the option off: the provider's overrun reaches the client
    try (GatewayFixture f = new GatewayFixture(config("{requests: {limit: 1000, window: 1m}}", null, "  enforce_max_tokens: false\n"))) {
      Delivered d = openAi(f.post("/v1/chat/completions", streamBody("overrun-fast", ",\"max_tokens\":10")).body());
      assertThat(d.end()).isEqualTo("done");
      assertThat(d.tokens()).isEqualTo(400);
    }
  }

  @Test
  void concurrentOverrunningStreamsDeliverNoMoreThanTheLimitAcrossThreeInstancesOnRedis() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      concurrentStreamsHold(redis.url());
    }
  }

  @Test
  void concurrentOverrunningStreamsDeliverNoMoreThanTheLimitAcrossThreeInstancesOnARedisCluster() throws Exception {
    try (RedisCluster cluster = new RedisCluster()) {
      concurrentStreamsHold(cluster.seeds());
    }
  }

  /** 12 streams from one caller, 4 on each of 3 instances, each asking 10 tokens of a provider that sends 400. */
  static void concurrentStreamsHold(String redis) throws Exception {
    String text = config("{tokens: {limit: 1000, window: 1m}, default_max_tokens: 10}", redis, "  claim_increment: 32\n");
    try (GatewayFixture a = new GatewayFixture(text); GatewayFixture b = new GatewayFixture(text);
        GatewayFixture c = new GatewayFixture(text)) {
      List<GatewayFixture> gateways = List.of(a, b, c);
      List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        GatewayFixture g = gateways.get(i % 3);
        streams.add(g.http.sendAsync(HttpRequest.newBuilder(g.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(streamBody("overrun", "")))
            .build(), HttpResponse.BodyHandlers.ofString()));
      }
      long delivered = 0;
      int cut = 0;
      for (CompletableFuture<HttpResponse<String>> s : streams) {
        HttpResponse<String> res = s.get(30, TimeUnit.SECONDS);
        if (res.statusCode() == 429) {
          continue; // admission refused: nothing delivered
        }
        assertThat(res.statusCode()).isEqualTo(200);
        Delivered d = openAi(res.body());
        assertThat(d.end()).isIn("done", "error:token_budget_exhausted");
        cut += d.end().equals("done") ? 0 : 1;
        delivered += d.tokens();
      }
      System.out.printf("12 streams of 400 tokens against a limit of 1,000 (3 instances, %s): %d completion tokens delivered, %d cut%n",
          redis.startsWith("[") ? "Redis Cluster" : "Redis", delivered, cut);
      // the stated bound is limit + streams x increment; the counters hold it to the limit itself
      // (prompts share the 1,000 with completions)
      assertThat(delivered).isLessThanOrEqualTo(1000);
      assertThat(delivered).as("the limit is used, not wasted").isGreaterThan(1000 - 12 * (32 + 10) - 12 * 10);
      assertThat(cut).isGreaterThan(0);
    }
  }

  @Test
  void aProviderThatUnderReportsIsChargedWhatWasCounted() throws Exception {
    String text = config("{tokens: {limit: 100000, window: 1m}}", null, "");
    long[] remaining = new long[2];
    long[] sent = new long[2];
    String[] models = {"honest", "liar"};
    for (int i = 0; i < 2; i++) {
      try (GatewayFixture f = new GatewayFixture(text)) {
        Delivered d = openAi(f.post("/v1/chat/completions", streamBody(models[i], ",\"stream_options\":{\"include_usage\":true}")).body());
        sent[i] = d.tokens();
        Thread.sleep(100); // settled when the exchange ended
        HttpResponse<String> next = f.post("/v1/chat/completions", chat("chat", false, "hi").replace("}]", "}],\"max_tokens\":1"));
        remaining[i] = Long.parseLong(next.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        if (i == 1) {
          assertThat(f.metrics.registry().get("portcullis.completion.overruns").tag("action", "underreported").counter().count())
              .isEqualTo(1);
        }
      }
    }
    assertThat(sent[0]).isEqualTo(sent[1]).isGreaterThanOrEqualTo(200);
    // the honest provider is charged the 200 it reported (within the tolerance of the count); the
    // liar said 20 and is charged the count of what it sent
    assertThat(remaining[0]).isLessThan(100000 - 200);
    assertThat(remaining[0] - remaining[1]).isEqualTo(sent[1] - 200);
  }

  @Test
  void claimsDuringARedisOutageFollowThePolicy() throws Exception {
    try (RedisServer redis = new RedisServer()) {
      // closed without leases; closed with a lease of 50 tokens (limit x share), which keeps serving
      // claims while Redis is away (its units are counted there already) and no further; local
      for (String mode : List.of("closed", "closed-leased", "local")) {
        String text = config("{tokens: {limit: 100000, window: 1m}, default_max_tokens: 10, on_redis_failure: "
            + mode.replace("-leased", "") + "}", redis.url(),
            "  claim_increment: 16\n  lease: {share: " + (mode.equals("closed-leased") ? "0.0005" : "0") + "}\n");
        try (GatewayFixture f = new GatewayFixture(text)) {
          // admitted while Redis answers; the provider starts 600 ms later, after Redis froze
          CompletableFuture<HttpResponse<String>> stream = f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/chat/completions"))
              .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(streamBody("late", ""))).build(), HttpResponse.BodyHandlers.ofString());
          Thread.sleep(300);
          redis.pause();
          Delivered d;
          try {
            d = openAi(stream.get(30, TimeUnit.SECONDS).body());
          } finally {
            redis.resume();
          }
          if (mode.equals("closed")) {
            assertThat(d.end()).isEqualTo("error:rate_limiter_unavailable");
            assertThat(d.tokens()).isLessThanOrEqualTo(10); // what the admission reserved, no more
          } else if (mode.equals("closed-leased")) {
            assertThat(d.end()).isEqualTo("error:rate_limiter_unavailable");
            // the reservation, then claims of 16 from the 50 leased tokens (3 fit), no more
            assertThat(d.tokens()).isGreaterThan(10).isLessThanOrEqualTo(10 + 48);
          } else {
            assertThat(d.end()).isEqualTo("done"); // claimed from this process's counters
            assertThat(d.tokens()).isEqualTo(100);
          }
        }
      }
    }
  }

  /**
   * Random rounds: limit, increment, reservation, number of streams, their lengths, paces and start
   * times. Whatever they are, the streams together deliver no more than the limit on output tokens,
   * and, when they ask for more, they get it up to what the unspent holdings can leave unused.
   */
  @Test
  void anyMixOfStreamsStaysWithinTheLimit() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < 5; round++) {
      long limit = 300 + random.nextInt(1200);
      int increment = 8 + random.nextInt(121);
      int reserve = 1 + random.nextInt(50);
      int count = 2 + random.nextInt(9);
      StringBuilder models = new StringBuilder();
      long demand = 0;
      for (int i = 0; i < count; i++) {
        int length = 20 + random.nextInt(381);
        int rate = List.of(0, 300, 2000).get(random.nextInt(3));
        demand += length;
        models.append("  - {name: s").append(i).append(", targets: [{provider: mock, model: \"m@ignore_max_tokens=1;tokens=")
            .append(length).append(";rate=").append(rate).append("\"}]}\n");
      }
      String text = config("{output_tokens: {limit: " + limit + ", window: 1m}, default_max_tokens: " + reserve + "}", null,
          "  claim_increment: " + increment + "\n").replace("models:\n", "models:\n" + models);
      String what = String.format("seed %d round %d: limit %d, increment %d, reserve %d, %d streams, demand %d", seed, round, limit,
          increment, reserve, count, demand);
      try (GatewayFixture f = new GatewayFixture(text)) {
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Thread.sleep(random.nextInt(40));
          streams.add(f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(30))
              .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(streamBody("s" + i, "")))
              .build(), HttpResponse.BodyHandlers.ofString()));
        }
        long delivered = 0;
        for (CompletableFuture<HttpResponse<String>> s : streams) {
          HttpResponse<String> res = s.get(30, TimeUnit.SECONDS);
          assertThat(res.statusCode()).as(what).isIn(200, 429);
          if (res.statusCode() == 200) {
            Delivered d = openAi(res.body());
            assertThat(d.end()).as(what).isIn("done", "error:token_budget_exhausted");
            delivered += d.tokens();
          }
        }
        assertThat(delivered).as(what).isLessThanOrEqualTo(limit);
        assertThat(delivered).as(what).isGreaterThanOrEqualTo(Math.min(demand, limit - (long) count * (increment + reserve)));
      }
    }
  }
}
