package io.portcullis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server on a free loopback port for one test class: no persistence, killed at close.
 * (CI installs redis-server; a machine without it fails the test loudly rather than skipping it.)
 */
public final class RedisServer implements AutoCloseable {

  private final Process process;
  public final int port;

  public RedisServer() throws Exception {
    this(freePort());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** On a given port: a Redis that comes back where the old one was. */
  public RedisServer(int port) throws Exception {
    this(port, java.util.List.of());
  }

  /** On a given port with extra arguments (a cluster node: --cluster-enabled yes ...). */
  public RedisServer(int port, java.util.List<String> extra) throws Exception {
    this.port = port;
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("redis-server", "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"));
    command.addAll(extra);
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"+PONG".equals(command("PING"))) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        close();
        throw new IllegalStateException("redis-server did not start on port " + port);
      }
      TimeUnit.MILLISECONDS.sleep(20); // test harness thread, not an event loop
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  public void pause() throws Exception {
    new ProcessBuilder("kill", "-STOP", String.valueOf(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
  }

  public void resume() throws Exception {
    new ProcessBuilder("kill", "-CONT", String.valueOf(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
  }

  /** Kills the server (SIGKILL): no goodbye to its clients or its cluster. */
  public void kill() throws Exception {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public static int freePortNumber() throws IOException {
    return freePort();
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Sends one inline command; returns the first reply line, or null when Redis is not there. */
  public String command(String line) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder reply = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\r') {
        reply.append((char) c);
      }
      return reply.toString();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      resume(); // a paused server cannot stop
    } catch (Exception e) {
      // best effort: destroyForcibly below ends it anyway
    }
    process.destroy();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
