package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.portcullis.Portcullis;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Authentication and roles end to end: keys made by the CLI, a real gateway, a real Redis. */
class AuthTest {

  static Path dir;
  static RedisServer redis;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("portcullis-auth");
    redis = new RedisServer();
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
  }

  static String config(String keyFile, boolean redisKeys, int maxFailures) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        redis: {url: "REDIS"}
        auth:
          enabled: true
          api_keys: {file: "KEYFILE", redis: REDISKEYS, rotation_overlap: 1h}
          brute_force: {max_failures: MAXF, window: 1m, cooldown: 1m}
          roles:
            - {name: chatter, models: ["chat*"], endpoints: [chat_completions, models], limit: standard}
            - {name: embedder, models: ["embed"], endpoints: [embeddings, models]}
        limits:
          policies:
            standard: {requests: {limit: 100000, window: 1m}}
        providers:
          - {name: mock, base_url: "${MOCK_URL}", api_keys: [provider-secret-key]}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
          - {name: chat-large, targets: [{provider: mock, model: m}]}
          - {name: other, targets: [{provider: mock, model: m}]}
          - {name: embed, endpoints: [embeddings], targets: [{provider: mock, model: e}]}
        """.replace("REDISKEYS", String.valueOf(redisKeys)).replace("REDIS", redis.url())
        .replace("KEYFILE", keyFile).replace("MAXF", String.valueOf(maxFailures));
  }

  /** Runs {@code portcullis keys ...}; returns what it printed on stdout. */
  static String keys(Path config, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Portcullis.commandLine();
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    String[] all = new String[args.length + 2];
    all[0] = "--config=" + config;
    all[1] = "keys";
    System.arraycopy(args, 0, all, 2, args.length);
    int code = cli.execute(all);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  static Map<String, String> bearer(String credential) {
    return Map.of("authorization", "Bearer " + credential);
  }

  /** The config as the CLI reads it (from the system environment, where MOCK_URL is not set). */
  static Path writeConfig(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text.replace("${MOCK_URL}", "http://127.0.0.1:1/v1"));
    return file;
  }

  @Test
  void keysFromTheCliOpenExactlyTheirRolesModels() throws Exception {
    Path keyFile = dir.resolve("keys-a.yaml");
    String text = config(keyFile.toString(), false, 100);
    Path cfg = writeConfig("a.yaml", text);
    String chatKey = keys(cfg, "create", "--user=alice", "--team=research", "--role=chatter");
    String embedKey = keys(cfg, "create", "--user=bob", "--role=embedder", "--expires=30d");
    assertThat(chatKey).matches("pc-[0-9A-Za-z]{12}-[0-9A-Za-z]{40}");
    assertThat(Files.readString(keyFile)).doesNotContain(chatKey.substring(16)).contains("alice");
    try (GatewayFixture f = new GatewayFixture(text)) {
      HttpResponse<String> none = f.post("/v1/chat/completions", chat("chat", false, "hi"));
      ApiTest.assertError(none, 401, "missing_credentials");
      assertThat(none.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer("pc-nonsense")), 401, "invalid_api_key");
      assertThat(f.mock.seen()).isEmpty();

      HttpResponse<String> ok = f.post("/v1/chat/completions", chat("chat", true, "hi"), bearer(chatKey));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("data: [DONE]");
      // the client's credential never goes upstream; the provider key does
      assertThat(f.mock.last().headers().get("authorization")).isEqualTo("Bearer provider-secret-key");
      assertThat(f.mock.last().headers().toString()).doesNotContain(chatKey);
      // Anthropic-style header works too
      assertThat(f.post("/v1/chat/completions", chat("chat-large", false, "hi"), Map.of("x-api-key", chatKey)).statusCode()).isEqualTo(200);

      HttpResponse<String> otherModel = f.post("/v1/chat/completions", chat("other", false, "hi"), bearer(chatKey));
      ApiTest.assertError(otherModel, 403, "model_not_allowed");
      ApiTest.assertError(f.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"}", bearer(chatKey)), 403, "endpoint_not_allowed");
      // the Responses API is an endpoint of its own (roles name it "responses")
      ApiTest.assertError(f.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"hi\"}", bearer(chatKey)), 403, "endpoint_not_allowed");
      assertThat(f.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"}", bearer(embedKey)).statusCode()).isEqualTo(200);

      JsonObject models = new JsonObject(f.get("/v1/models", bearer(chatKey)).body());
      assertThat(models.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")))
          .containsExactly("chat", "chat-large");
      ApiTest.assertError(f.get("/v1/models"), 401, "missing_credentials");

      // revoke and rotate through the CLI: the running gateway picks the key file up by itself
      String chatId = chatKey.substring(3, 15);
      String rotated = keys(cfg, "rotate", chatId, "--overlap=1s");
      keys(cfg, "revoke", embedKey.substring(3, 15));
      awaitStatus(f, rotated, 200);
      awaitStatus(f, embedKey, 401, "/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"}");
      awaitStatus(f, chatKey, 401); // the overlap of one second has passed
      String list = keys(cfg, "list");
      assertThat(list).contains(chatId).contains("expired").contains("revoked").doesNotContain(rotated.substring(16));
    }
  }

  static void awaitStatus(GatewayFixture f, String key, int status) throws Exception {
    awaitStatus(f, key, status, "/v1/chat/completions", chat("chat", false, "hi"));
  }

  static void awaitStatus(GatewayFixture f, String key, int status, String path, String body) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int last;
    do {
      last = f.post(path, body, bearer(key)).statusCode();
      if (last == status) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200); // the test thread polls; the config watcher ticks every 2 s
    } while (System.nanoTime() < deadline);
    assertThat(last).isEqualTo(status);
  }

  @Test
  void aKeyMadeByTheCliWorksOnTheVeryNextRequest() throws Exception {
    Path keyFile = dir.resolve("keys-e.yaml");
    String text = config(keyFile.toString(), false, 100);
    Path cfg = writeConfig("e.yaml", text);
    try (GatewayFixture f = new GatewayFixture(text)) {
      // keys made in quick succession, each used at once: none waits for the reload's poll
      for (int i = 0; i < 4; i++) {
        String key = keys(cfg, "create", "--user=new" + i, "--role=chatter");
        HttpResponse<String> first = f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key));
        assertThat(first.statusCode()).as("key %d: %s", i, first.body()).isEqualTo(200);
      }
      // an unknown id is still refused after the file was read again
      String unknown = "pc-" + "A".repeat(12) + "-" + "b".repeat(40);
      ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(unknown)), 401, "invalid_api_key");
    }
  }

  @Test
  void aTokenFromTheIssuerOpensItsRolesModels() throws Exception {
    String secret = "an-hs256-secret-for-the-gateway-test-0123456789";
    String text = config(dir.resolve("keys-d.yaml").toString(), false, 100).replace("  brute_force:",
        "  jwt: {secret: \"" + secret + "\", issuer: issuer-1, audience: portcullis}\n  brute_force:");
    io.vertx.core.Vertx signerVertx = io.vertx.core.Vertx.vertx();
    try (GatewayFixture f = new GatewayFixture(text)) {
      io.vertx.ext.auth.jwt.JWTAuth signer = io.vertx.ext.auth.jwt.JWTAuth.create(signerVertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
          .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
      String token = signer.generateToken(new JsonObject().put("sub", "erin").put("roles", "embedder"),
          new io.vertx.ext.auth.JWTOptions().setIssuer("issuer-1").setAudience(java.util.List.of("portcullis")).setExpiresInMinutes(5));
      assertThat(f.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"}", bearer(token)).statusCode()).isEqualTo(200);
      ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "x"), bearer(token)), 403, "endpoint_not_allowed");
      String otherAudience = signer.generateToken(new JsonObject().put("sub", "erin"),
          new io.vertx.ext.auth.JWTOptions().setIssuer("issuer-1").setAudience(java.util.List.of("elsewhere")).setExpiresInMinutes(5));
      HttpResponse<String> refused = f.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"}", bearer(otherAudience));
      ApiTest.assertError(refused, 401, "invalid_token");
      assertThat(refused.body()).contains("audience").doesNotContain(otherAudience);
      assertThat(f.mock.last().headers().toString()).doesNotContain(token);
    } finally {
      signerVertx.close();
    }
  }

  static boolean sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return true;
  }

  /** Requests that come from {@code client}, through a trusted proxy on loopback. */
  static Map<String, String> from(String client, String key) {
    return Map.of("authorization", "Bearer " + key, "x-forwarded-for", client);
  }

  static String behindAProxy(String text) {
    return text.replace("server: {host: 127.0.0.1, port: 0, instances: 1}",
        "server: {host: 127.0.0.1, port: 0, instances: 1, trusted_proxies: [127.0.0.1]}");
  }

  @Test
  void failuresPastTheThresholdGet429ButAKeyThatVerifiesIsServedFromTheSameAddress() throws Exception {
    Path keyFile = dir.resolve("keys-b.yaml");
    String text = behindAProxy(config(keyFile.toString(), false, 5));
    String key = keys(writeConfig("b.yaml", text), "create", "--user=carol", "--role=chatter");
    try (GatewayFixture f = new GatewayFixture(text)) {
      // a wrong secret: the last character changed (to one it is not)
      String wrong = key.substring(0, key.length() - 1) + (key.endsWith("Z") ? "Y" : "Z");
      for (int i = 0; i < 5; i++) {
        ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.10", wrong)), 401, "invalid_api_key");
      }
      HttpResponse<String> blocked = f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.10", wrong));
      ApiTest.assertError(blocked, 429, "too_many_failed_authentications");
      assertThat(Long.parseLong(blocked.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
      // behind the same address (a NAT), a caller whose key verifies is served all along
      assertThat(f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.10", key)).statusCode()).isEqualTo(200);
      ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.10", wrong)),
          429, "too_many_failed_authentications");
      // another address is not concerned at all
      ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.11", wrong)), 401, "invalid_api_key");
    }
  }

  @Test
  void theFailureCountIsSharedByEveryInstanceThroughRedisAndKeptLocallyWithoutIt() throws Exception {
    Path keyFile = dir.resolve("keys-b2.yaml");
    String text = behindAProxy(config(keyFile.toString(), false, 6));
    String key = keys(writeConfig("b2.yaml", text), "create", "--user=erin", "--role=chatter");
    String wrong = key.substring(0, key.length() - 1) + (key.endsWith("Z") ? "Y" : "Z");
    try (GatewayFixture one = new GatewayFixture(text); GatewayFixture two = new GatewayFixture(text)) {
      for (int i = 0; i < 3; i++) {
        ApiTest.assertError(one.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.20", wrong)), 401, "invalid_api_key");
        ApiTest.assertError(two.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.20", wrong)), 401, "invalid_api_key");
      }
      // six failures in all, three on each: the seventh is refused by either instance
      ApiTest.assertError(one.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.20", wrong)),
          429, "too_many_failed_authentications");
      ApiTest.assertError(two.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.20", wrong)),
          429, "too_many_failed_authentications");
      assertThat(redis.command("PTTL pc:{af:198.51.100.20}:cool")).startsWith(":");
    }
    // without Redis the count is this process's own
    String local = text.replaceAll("redis: \\{url: \"[^\"]*\"}\n", "");
    assertThat(local).doesNotContain("redis: {url");
    try (GatewayFixture f = new GatewayFixture(local)) {
      for (int i = 0; i < 6; i++) {
        ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.21", wrong)), 401, "invalid_api_key");
      }
      ApiTest.assertError(f.post("/v1/chat/completions", chat("chat", false, "x"), from("198.51.100.21", wrong)),
          429, "too_many_failed_authentications");
    }
  }

  @Test
  void aKeyCreatedInRedisWorksOnEveryInstanceAtOnce() throws Exception {
    String text = config(dir.resolve("unused-keys.yaml").toString(), true, 100);
    Path cfg = writeConfig("c.yaml", text);
    try (GatewayFixture one = new GatewayFixture(text); GatewayFixture two = new GatewayFixture(text)) {
      String key = keys(cfg, "--store=redis", "create", "--user=dave", "--role=chatter");
      assertThat(redis.command("EXISTS pc:key:{" + key.substring(3, 15) + "}")).isEqualTo(":1");
      assertThat(one.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key)).statusCode()).isEqualTo(200);
      assertThat(two.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key)).statusCode()).isEqualTo(200);
      // both have it cached now (the default ttl is a minute): a revocation is pushed to them
      assertThat(one.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key)).statusCode()).isEqualTo(200);
      long revoked = System.nanoTime();
      keys(cfg, "--store=redis", "revoke", key.substring(3, 15));
      for (GatewayFixture f : List.of(one, two)) {
        HttpResponse<String> res;
        do {
          res = f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key));
        } while (res.statusCode() == 200 && System.nanoTime() - revoked < 5_000_000_000L);
        ApiTest.assertError(res, 401, "api_key_revoked");
      }
      assertThat((System.nanoTime() - revoked) / 1e9).as("seconds until both instances refused the revoked key").isLessThan(1.0);
      assertThat(keys(cfg, "--store=redis", "list")).contains("dave").contains("revoked");
      assertThat(one.metrics.registry().find("portcullis.key.cache.lookups").tag("outcome", "hit").counter().count()).isPositive();
    }
  }

  @Test
  void aCachedKeyIsReadAgainAfterTheChangeFeedWasInterrupted() throws Exception {
    String text = config(dir.resolve("unused-keys-f.yaml").toString(), true, 100);
    Path cfg = writeConfig("f.yaml", text);
    String key = keys(cfg, "--store=redis", "create", "--user=fay", "--role=chatter");
    try (GatewayFixture f = new GatewayFixture(text)) {
      assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key)).statusCode()).isEqualTo(200);
      long until = System.nanoTime() + 10_000_000_000L;
      while (!f.gateway.keyChanges().subscribed() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(f.gateway.keyChanges().subscribed()).isTrue();
      // Redis restarts empty while the gateway keeps the key cached: no change was published, but
      // the feed was interrupted, so the key is read again, and it is gone
      redis.close();
      redis = new RedisServer(redis.port);
      until = System.nanoTime() + 10_000_000_000L;
      HttpResponse<String> res;
      do {
        Thread.sleep(100);
        res = f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key));
      } while (res.statusCode() != 401 && System.nanoTime() < until);
      ApiTest.assertError(res, 401, "invalid_api_key");
    }
  }

  @Test
  void anInstanceWhoseKeysLiveInRedisStaysReadyWhileItsCacheServesAndNotLonger() throws Exception {
    String text = config(dir.resolve("unused-keys-r.yaml").toString(), true, 100)
        .replace("admin: {enabled: false}", "admin: {host: 127.0.0.1, port: 0}")
        .replace("rotation_overlap: 1h}", "rotation_overlap: 1h, cache: {ttl: 1s, stale_if_error: 3s}}");
    Path cfg = writeConfig("r.yaml", text);
    String key = keys(cfg, "--store=redis", "create", "--user=rita", "--role=chatter");
    try (GatewayFixture f = new GatewayFixture(text)) {
      LimitTest.awaitReady(f, 200, "up");
      assertThat(new JsonObject(f.getAdmin("/readyz").body()).getJsonArray("redis_needed_by").getList())
          .containsExactly("api_keys");
      assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key)).statusCode()).isEqualTo(200);
      redis.close();
      try {
        // the cached key serves, so the instance stays in the balancer, and says why
        LimitTest.awaitReady(f, 200, "down");
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key)).statusCode()).isEqualTo(200);
        // past stale_if_error every key in Redis would get 503: out of the balancer
        LimitTest.awaitReady(f, 503, "down");
        assertThat(new JsonObject(f.getAdmin("/readyz").body()).getJsonArray("redis_cannot_serve").getList())
            .containsExactly("api_keys");
        // the key itself stops working ttl + stale_if_error after it was last read (at most a ttl later)
        long until = System.nanoTime() + 3_000_000_000L;
        HttpResponse<String> res;
        do {
          res = f.post("/v1/chat/completions", chat("chat", false, "hi"), bearer(key));
        } while (res.statusCode() == 200 && System.nanoTime() < until && sleep(100));
        ApiTest.assertError(res, 503, "auth_store_unavailable");
      } finally {
        redis = new RedisServer(redis.port);
      }
      LimitTest.awaitReady(f, 200, "up");
    }
  }
}
