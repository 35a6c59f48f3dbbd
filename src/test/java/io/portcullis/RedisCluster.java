package io.portcullis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback, made with {@code redis-cli --cluster create}: 3 masters, and
 * optionally one replica each (so a killed master's replica can take over).
 */
public final class RedisCluster implements AutoCloseable {

  public final List<RedisServer> nodes = new ArrayList<>();
  private final int expectedReplicas;

  /** 3 masters, no replicas. */
  public RedisCluster() throws Exception {
    this(0, 2000);
  }

  /**
   * @param replicasPerMaster 0 or 1
   * @param nodeTimeoutMs {@code cluster-node-timeout}: how soon a silent master is declared failed
   */
  public RedisCluster(int replicasPerMaster, int nodeTimeoutMs) throws Exception {
    this.expectedReplicas = 3 * replicasPerMaster;
    // a node that is not new (a port still held by an earlier cluster's node, which answered the
    // start-up PING in the new node's place) makes `create` refuse with "is not empty": try again on
    // other ports
    for (int attempt = 1; ; attempt++) {
      try {
        create(replicasPerMaster, nodeTimeoutMs);
        return;
      } catch (IllegalStateException e) {
        close();
        nodes.clear();
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private void create(int replicasPerMaster, int nodeTimeoutMs) throws Exception {
    Path dir = Files.createTempDirectory("redis-cluster");
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (int i = 0; i < 3 * (1 + replicasPerMaster); i++) {
      int port = nodePort();
      nodes.add(new RedisServer(port, List.of("--cluster-enabled", "yes", "--dir", dir.toString(),
          "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", String.valueOf(nodeTimeoutMs))));
      create.add("127.0.0.1:" + port);
    }
    for (RedisServer n : nodes) {
      if (!n.isAlive() || !reply(n, "CLUSTER INFO").contains("cluster_known_nodes:1\r\n")) {
        throw new IllegalStateException("node " + n.port + " is not a new node");
      }
    }
    create.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
    Path log = dir.resolve("create.log");
    Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!whole()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster never became whole: " + reply(nodes.get(0), "CLUSTER NODES"));
      }
      TimeUnit.MILLISECONDS.sleep(100); // harness thread
    }
  }

  /** Every node says ok, and every replica is attached to its master and in sync. */
  private boolean whole() {
    int synced = 0;
    for (RedisServer n : nodes) {
      if (!reply(n, "CLUSTER INFO").contains("cluster_state:ok")) {
        return false;
      }
      String replication = reply(n, "INFO replication");
      if (replication.contains("role:slave")) {
        if (!replication.contains("master_link_status:up")) {
          return false;
        }
        synced++;
      }
    }
    return synced == expectedReplicas;
  }

  /** A port whose cluster bus port (+10000) is free too. */
  private static int nodePort() throws IOException {
    while (true) {
      int port = RedisServer.freePortNumber();
      if (port + 10000 > 65535) {
        continue;
      }
      try (ServerSocket bus = new ServerSocket(port + 10000)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
  }

  /** The node that serves the slot of a key now (a master), or null if none does. */
  public RedisServer ownerOf(String key) {
    for (RedisServer n : nodes) {
      // a node answers a key it does not own with MOVED (replicas too, without READONLY)
      String r = n.isAlive() ? n.command("EXISTS " + key) : null;
      if (r != null && r.startsWith(":")) {
        return n;
      }
    }
    return null;
  }

  /** The whole reply of a command that answers with one bulk string (CLUSTER INFO, INFO ...). */
  public static String reply(RedisServer node, String command) {
    try (Socket s = new Socket("127.0.0.1", node.port)) {
      s.setSoTimeout(2000);
      s.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String head = in.readLine();
      if (head == null || !head.startsWith("$")) {
        return String.valueOf(head);
      }
      char[] body = new char[Integer.parseInt(head.substring(1))];
      int read = 0;
      while (read < body.length) {
        int n = in.read(body, read, body.length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      return new String(body, 0, read);
    } catch (IOException e) {
      return "";
    }
  }

  /** The seed URLs, for {@code redis.cluster}. */
  public List<String> urls() {
    return nodes.stream().map(RedisServer::url).toList();
  }

  /** The seed URLs as a YAML flow list, as {@code redis.cluster} takes them. */
  public String seeds() {
    return "[" + String.join(", ", urls().stream().map(u -> "\"" + u + "\"").toList()) + "]";
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
