package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three gateway instances sharing one Redis behind a real haproxy (health checks on /readyz,
 * X-Forwarded-For), as deploy/ runs them: clients told apart by their own addresses (several 127/8
 * loopback addresses), limits shared, a rolling restart and a Redis pause under load that fail
 * nothing.
 */
class ClusterTest {

  static RedisServer redis;
  static Path dir;
  static final GatewayFixture[] instances = new GatewayFixture[3];
  static final int[] apiPorts = new int[3];
  static final int[] adminPorts = new int[3];
  static Process haproxy;
  static int lbPort;
  static String key;
  static String meteredKey;
  static String text;

  static String config(int i) {
    return gatewayConfig("""
        server:
          host: 127.0.0.1
          port: API
          instances: 1
          readiness_delay: 2s
          drain_timeout: 10s
          trusted_proxies: [127.0.0.1]
          connections: {max_per_client: 0}
        admin: {host: 127.0.0.1, port: ADMIN}
        """.replace("API", String.valueOf(apiPorts[i])).replace("ADMIN", String.valueOf(adminPorts[i])),
        "{url: \"" + redis.url() + "\"}", 3);
  }

  /**
   * The cluster tests' gateway: keys in Redis and JWTs; role chat (a limit no test reaches) and
   * metered (5 requests a minute), both local when Redis fails; models chat (8 tokens at once) and
   * paced (a 1 s stream).
   *
   * @param head the server and admin sections
   * @param redisYaml the value of {@code redis}
   * @param instances {@code limits.expected_instances}
   */
  static String gatewayConfig(String head, String redisYaml, int instances) {
    return head + """
        redis: REDIS
        auth:
          enabled: true
          api_keys: {redis: true}
          jwt: {secret: "SECRET"}
          brute_force: {max_failures: 5, window: 1m, cooldown: 1m}
          roles:
            - {name: chat, models: ["*"], limit: standard}
            - {name: metered, models: ["*"], limit: metered}
        limits:
          expected_instances: INSTANCES
          policies:
            standard: {requests: {limit: 100000, window: 1m}, on_redis_failure: local}
            metered: {requests: {limit: 5, window: 1m}, on_redis_failure: local}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: "m@rate=0;tokens=8"}]}
          - {name: paced, targets: [{provider: mock, model: "m@rate=20;tokens=20"}]}
        """.replace("REDIS", redisYaml).replace("SECRET", JWT_SECRET).replace("INSTANCES", String.valueOf(instances));
  }

  static final String JWT_SECRET = "a-cluster-secret-of-at-least-thirty-two-characters";

  /** An HS256 token for a subject with one role. */
  static String jwt(String subject, String role) throws Exception {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    long now = System.currentTimeMillis() / 1000;
    String signing = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(("{\"sub\":\"" + subject + "\",\"roles\":[\"" + role + "\"],\"iat\":" + now + ",\"exp\":" + (now + 600) + "}")
            .getBytes(StandardCharsets.UTF_8));
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return signing + "." + b64.encodeToString(mac.doFinal(signing.getBytes(StandardCharsets.US_ASCII)));
  }

  @BeforeAll
  static void start() throws Exception {
    redis = new RedisServer();
    dir = Files.createTempDirectory("portcullis-cluster");
    for (int i = 0; i < 3; i++) {
      apiPorts[i] = GatewayFixture.freePort();
      adminPorts[i] = GatewayFixture.freePort();
      instances[i] = new GatewayFixture(config(i));
    }
    Path cfg = dir.resolve("cluster.yaml");
    Files.writeString(cfg, config(0).replace("${MOCK_URL}", "http://127.0.0.1:1/v1")); // the CLI reads no mock
    key = AuthTest.keys(cfg, "--store=redis", "create", "--user=alice", "--role=chat");
    meteredKey = AuthTest.keys(cfg, "--store=redis", "create", "--user=mo", "--role=metered");
    lbPort = GatewayFixture.freePort();
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      servers.append("  server i").append(i).append(" 127.0.0.1:").append(apiPorts[i]).append(" check port ").append(adminPorts[i]).append('\n');
    }
    // the shipped balancer config, with faster checks for a test
    String haproxyCfg = Files.readString(Path.of("deploy/haproxy.cfg")).replace("__PORT__", String.valueOf(lbPort))
        .replace("__SERVERS__\n", servers.toString()).replace("inter 250ms fall 2 rise 2", "inter 150ms fall 2 rise 2")
;
    Path hp = dir.resolve("haproxy.cfg");
    Files.writeString(hp, haproxyCfg);
    haproxy = new ProcessBuilder("haproxy", "-db", "-f", hp.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        if (send("127.0.0.1", "GET", "/v1/models", key, null).status() == 200) {
          break;
        }
      } catch (java.io.IOException notYet) {
        assertThat(haproxy.isAlive()).as("haproxy runs (see %s)", dir.resolve("haproxy.log")).isTrue();
      }
      assertThat(System.nanoTime()).as("haproxy up with its instances").isLessThan(until);
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      haproxy.waitFor(5, TimeUnit.SECONDS);
    }
    for (GatewayFixture f : instances) {
      if (f != null) {
        f.close();
      }
    }
    redis.close();
  }

  record Reply(int status, String body) {}

  /** One request through the balancer from a given loopback address, on its own connection. */
  static Reply send(String from, String method, String path, String apiKey, String body) throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress("127.0.0.1", lbPort), 5000);
      s.setSoTimeout(20_000);
      byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head = method + " " + path + " HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n"
          + (apiKey == null ? "" : "authorization: Bearer " + apiKey + "\r\n")
          + (body == null ? "" : "content-type: application/json\r\ncontent-length: " + payload.length + "\r\n") + "\r\n";
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      InputStream in = s.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!reply.startsWith("HTTP/1.1 ")) {
        return new Reply(-1, reply);
      }
      return new Reply(Integer.parseInt(reply.substring(9, 12)), reply.substring(Math.max(0, reply.indexOf("\r\n\r\n") + 4)));
    }
  }

  @Test
  void oneClientsBadKeysNeverRefuseAnotherClientsValidKey() throws Exception {
    String wrong = key.substring(0, key.length() - 1) + (key.endsWith("Z") ? "Y" : "Z");
    int refused = 0;
    for (int i = 0; i < 30; i++) {
      Reply bad = send("127.0.0.2", "POST", "/v1/chat/completions", wrong, chat("chat", false, "x"));
      assertThat(bad.status()).isIn(401, 429);
      if (bad.status() == 429) {
        refused++;
      }
      // another client, behind the same balancer, is never refused
      assertThat(send("127.0.0.3", "POST", "/v1/chat/completions", key, chat("chat", false, "hi")).status()).isEqualTo(200);
    }
    // five failures in the whole cluster (not five per instance) start the cool-down of 127.0.0.2 only
    assertThat(refused).isEqualTo(25);
    // and the cooled-down client itself is served when it presents a key that verifies
    assertThat(send("127.0.0.2", "POST", "/v1/chat/completions", key, chat("chat", false, "hi")).status()).isEqualTo(200);
  }

  @Test
  void aMeteredKeyIsHeldToItsLimitAcrossTheCluster() throws Exception {
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 12; i++) {
      int status = send("127.0.0.4", "POST", "/v1/chat/completions", meteredKey, chat("chat", false, "hi")).status();
      if (status == 200) {
        ok++;
      } else {
        assertThat(status).isEqualTo(429);
        limited++;
      }
    }
    assertThat(ok).isEqualTo(5);
    assertThat(limited).isEqualTo(7);
  }

  /** Load through the balancer: 4 threads of plain requests, 2 of streams. */
  static Load load(String credential) {
    return new Load(List.of(URI.create("http://127.0.0.1:" + lbPort + "/v1/chat/completions")), credential, 4, 2);
  }

  @Test
  void aRollingRestartUnderLoadFailsNothing() throws Exception {
    Load load = load(key);
    try (load) {
      Thread.sleep(1000);
      for (int i = 0; i < 3; i++) {
        // SIGTERM's path: /readyz fails, the balancer takes the instance out within readiness_delay,
        // streams drain; then a new process on the same ports warms up and is taken back in
        instances[i].close();
        instances[i] = new GatewayFixture(config(i));
        waitUntilTheBalancerUses(i);
      }
      Thread.sleep(500);
    }
    assertThat(load.failures).as("failed requests during the rolling restart").isEmpty();
    assertThat(load.ok.get()).isGreaterThan(100);
    assertThat(load.streams.get()).isGreaterThan(5);
  }

  @Test
  void aRedisPauseUnderLoadFailsNothing() throws Exception {
    Load load = load(key);
    try (load) {
      Thread.sleep(1000); // every instance has the key cached by now
      redis.pause();
      try {
        Thread.sleep(3000);
      } finally {
        redis.resume();
      }
      Thread.sleep(1000);
    }
    assertThat(load.failures).as("failed requests while Redis was frozen").isEmpty();
    assertThat(load.ok.get()).isGreaterThan(50);
  }

  static int admitted(String from, String credential, int requests) throws Exception {
    int ok = 0;
    for (int i = 0; i < requests; i++) {
      int status = send(from, "POST", "/v1/chat/completions", credential, chat("chat", false, "hi")).status();
      assertThat(status).isIn(200, 429);
      ok += status == 200 ? 1 : 0;
    }
    return ok;
  }

  @Test
  void aRedisKilledAndRestartedEmptyUnderLoadFailsNothingAndSharedLimitsResume() throws Exception {
    Load load = load(jwt("loader", "chat"));
    int duringOutage;
    try (load) {
      Thread.sleep(1000);
      redis.close(); // killed
      try {
        Thread.sleep(1000);
        // limit 5 per minute, expected_instances 3: each instance admits on its own while Redis is away
        duringOutage = admitted("127.0.0.5", jwt("metered-during", "metered"), 12);
        Thread.sleep(1000);
      } finally {
        redis = new RedisServer(redis.port); // back, empty
      }
      Thread.sleep(2000);
    }
    assertThat(load.failures).as("failed requests while Redis was killed and restarted empty").isEmpty();
    assertThat(load.ok.get()).isGreaterThan(50);
    assertThat(load.streams.get()).isGreaterThan(3);
    System.out.println("admitted during the Redis outage against a limit of 5: " + duringOutage);
    // worst over-admission during the fault: each of the 3 instances admits ceil(5 / 3) = 2 at most
    assertThat(duringOutage).as("admitted against a limit of 5 while Redis was away").isBetween(1, 6);
    // shared limiting resumed by itself, counting from the empty Redis
    assertThat(admitted("127.0.0.6", jwt("metered-after", "metered"), 12)).isEqualTo(5);
    // the keys were lost with the data: an operator makes them again, and they work at once everywhere
    Path cfg = dir.resolve("cluster.yaml");
    key = AuthTest.keys(cfg, "--store=redis", "create", "--user=alice", "--role=chat");
    meteredKey = AuthTest.keys(cfg, "--store=redis", "create", "--user=mo", "--role=metered");
    for (int i = 0; i < 6; i++) {
      assertThat(send("127.0.0.7", "POST", "/v1/chat/completions", key, chat("chat", false, "hi")).status()).isEqualTo(200);
    }
  }

  /** Until the balancer has sent a request to instance i again. */
  static void waitUntilTheBalancerUses(int i) throws Exception {
    long before = instances[i].metrics.registry().find("portcullis.requests").timers().stream().mapToLong(t -> t.count()).sum();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < until) {
      long now = instances[i].metrics.registry().find("portcullis.requests").timers().stream().mapToLong(t -> t.count()).sum();
      if (now > before) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the balancer never sent instance " + i + " a request after its restart");
  }
}
