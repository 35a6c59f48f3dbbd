package io.portcullis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real 3-master Redis Cluster on loopback (no replicas), made with redis-cli --cluster create. */
public final class RedisCluster implements AutoCloseable {

  public final List<RedisServer> nodes = new ArrayList<>();

  public RedisCluster() throws Exception {
    Path dir = Files.createTempDirectory("redis-cluster");
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (int i = 0; i < 3; i++) {
      int port = RedisServer.freePortNumber();
      nodes.add(new RedisServer(port, List.of("--cluster-enabled", "yes", "--dir", dir.toString(),
          "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "2000")));
      create.add("127.0.0.1:" + port);
    }
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      close();
      throw new IllegalStateException("redis-cli --cluster create failed");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!nodes.stream().allMatch(n -> "cluster_state:ok".equals(clusterState(n)))) {
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("the cluster never became ok");
      }
      TimeUnit.MILLISECONDS.sleep(100); // harness thread
    }
  }

  private static String clusterState(RedisServer node) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port)) {
      s.getOutputStream().write("CLUSTER INFO\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII));
      in.readLine(); // $<length>
      return in.readLine();
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** The seed URLs, for {@code redis.cluster}. */
  public List<String> urls() {
    return nodes.stream().map(RedisServer::url).toList();
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
