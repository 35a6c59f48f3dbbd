package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisCluster;
import io.portcullis.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances on a Redis Cluster of 3 masters with a replica each. Under load, the master
 * that holds the load's API key and the metered callers' counters is killed (SIGKILL); its replica
 * takes over. Nothing may fail meanwhile (keys from the cache, limits local), and shared limiting
 * must come back to the promoted replica by itself.
 */
class RedisClusterFailoverTest {

  static RedisCluster cluster;
  static final GatewayFixture[] instances = new GatewayFixture[2];
  static Path dir;
  static String key;

  static String config() {
    return ClusterTest.gatewayConfig("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        """, "{cluster: " + cluster.seeds() + "}", 2);
  }

  @BeforeAll
  static void start() throws Exception {
    cluster = new RedisCluster(1, 1000);
    dir = Files.createTempDirectory("portcullis-failover");
    for (int i = 0; i < instances.length; i++) {
      instances[i] = new GatewayFixture(config());
    }
    Path cfg = dir.resolve("failover.yaml");
    Files.writeString(cfg, config().replace("${MOCK_URL}", "http://127.0.0.1:1/v1"));
    key = AuthTest.keys(cfg, "--store=redis", "create", "--user=alice", "--role=chat");
  }

  @AfterAll
  static void stop() throws Exception {
    for (GatewayFixture f : instances) {
      if (f != null) {
        f.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Requests from one caller, alternating between the instances; how many were admitted. */
  static int admitted(String credential, int requests) throws Exception {
    int ok = 0;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> res = instances[i % 2].post("/v1/chat/completions", chat("chat", false, "hi"), AuthTest.bearer(credential));
      assertThat(res.statusCode()).as(res.body()).isIn(200, 429);
      ok += res.statusCode() == 200 ? 1 : 0;
    }
    return ok;
  }

  /** A metered caller whose counters live on the given node (found by trying subjects). */
  static String meteredOn(RedisServer node, String prefix) throws Exception {
    for (int i = 0; ; i++) {
      String subject = prefix + "-" + i;
      if (cluster.ownerOf("rl:{" + subject + "}:metered:requests") == node) {
        return ClusterTest.jwt(subject, "metered");
      }
    }
  }

  @Test
  void aMasterKilledUnderLoadFailsNothingAndSharedLimitingResumesOnItsReplica() throws Exception {
    String recordKey = "pc:key:{" + key.substring(3, 15) + "}";
    RedisServer master = cluster.ownerOf(recordKey);
    assertThat(master).as("the node holding the key").isNotNull();
    // before the fault: the two instances hold a caller to 5 together
    assertThat(admitted(meteredOn(master, "before"), 12)).isEqualTo(5);
    String during = meteredOn(master, "during");
    List<String> after = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      after.add(meteredOn(master, "after" + i));
    }

    Load load = new Load(List.of(instances[0].uri("/v1/chat/completions"), instances[1].uri("/v1/chat/completions")), key, 2, 2);
    int duringFault;
    long failedOverMs;
    long resumedMs = -1;
    try (load) {
      Thread.sleep(1000); // both instances have the key cached by now
      long killed = System.nanoTime();
      master.kill();
      duringFault = admitted(during, 12);
      while (cluster.ownerOf(recordKey) == null) {
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed)).as("a replica took over").isLessThan(20);
        Thread.sleep(50);
      }
      failedOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      // shared limiting comes back by itself: a fresh caller is held to 5 across both instances
      // again (each instance alone would admit 2 + 2), counted on the promoted replica
      for (String caller : after) {
        if (admitted(caller, 8) == 5) {
          resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
          break;
        }
        Thread.sleep(250);
      }
      Thread.sleep(500);
    }
    System.out.printf("Redis Cluster failover: replica took over %d ms after the kill, shared limiting back after %d ms;"
        + " admitted during the fault against a limit of 5: %d; load: %d plain, %d streams, %d failed%n",
        failedOverMs, resumedMs, duringFault, load.ok.get(), load.streams.get(), load.failures.size());
    assertThat(load.failures).as("failed requests while a master failed over").isEmpty();
    assertThat(load.ok.get()).isGreaterThan(50);
    assertThat(load.streams.get()).isGreaterThan(3);
    assertThat(resumedMs).as("shared limiting resumed within the 20 attempts after the failover").isPositive();
    // worst case in the window the fault starts in: 5 counted by Redis before it + 2 per instance alone
    assertThat(duringFault).as("admitted against a limit of 5 during the fault").isBetween(1, 5 + 2 * 2);
    // the key lived on the killed master: its replica has it, and keys made now land on the new master
    assertThat(admitted(key, 4)).isEqualTo(4);
    Path cfg = dir.resolve("failover.yaml");
    String fresh = AuthTest.keys(cfg, "--store=redis", "create", "--user=bob", "--role=chat");
    assertThat(admitted(fresh, 4)).isEqualTo(4);
  }
}
