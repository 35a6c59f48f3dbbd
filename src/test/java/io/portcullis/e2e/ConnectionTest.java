package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients: connections that hold a slot without sending a request are closed on time
 * (header, keep-alive and body timeouts), connections past the caps are refused at once, and
 * neither disturbs the requests and streams of everyone else.
 */
class ConnectionTest {

  static final String CONFIG = """
      server:
        host: 127.0.0.1
        port: 0
        instances: 2
        connections: {header_timeout: 1s, keep_alive_timeout: 1500ms, body_timeout: 1s, max: MAX, max_per_client: PER_CLIENT}
      admin: {host: 127.0.0.1, port: 0}
      providers:
        - {name: mock, base_url: "${MOCK_URL}"}
      models:
        - {name: fast, targets: [{provider: mock, model: "m@rate=0;tokens=5"}]}
        - {name: paced, targets: [{provider: mock, model: "m@rate=10;tokens=30"}]}
      """;

  static String config(int max, int perClient) {
    return CONFIG.replace("PER_CLIENT", String.valueOf(perClient)).replace("MAX", String.valueOf(max));
  }

  @Test
  void thousandsOfSlowAndIdleConnectionsAreClosedOnTimeWhileOthersAreServed() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config(0, 0))) {
      List<SocketChannel> idle = new ArrayList<>();
      List<SocketChannel> half = new ArrayList<>();
      List<SocketChannel> trickling = new ArrayList<>();
      try {
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
          idle.add(connect(f));
          SocketChannel h = connect(f);
          h.write(ascii("GET /v1/models HTTP/1.1\r\nhost: gw\r\n")); // a request line and one header, never finished
          half.add(h);
        }
        for (int i = 0; i < 100; i++) {
          SocketChannel t = connect(f);
          t.write(ascii("GET /v1/models HTTP/1.1\r\n"));
          trickling.add(t);
        }
        double openedIn = (System.nanoTime() - start) / 1e9;
        // while they wait, and after, everyone else is served; the slow ones trickle a header byte each 200 ms
        int served = 0;
        long until = System.nanoTime() + 3_500_000_000L;
        while (System.nanoTime() < until) {
          for (SocketChannel t : trickling) {
            if (t.isOpen()) {
              try {
                t.write(ascii("x"));
              } catch (IOException closedByTheGateway) {
                t.close();
              }
            }
          }
          HttpResponse<String> res = f.post("/v1/chat/completions", chat("fast", false, "hello"));
          assertThat(res.statusCode()).isEqualTo(200);
          served++;
          Thread.sleep(200);
        }
        assertThat(served).isGreaterThan(5);
        List<SocketChannel> all = new ArrayList<>(idle);
        all.addAll(half);
        all.addAll(trickling);
        // every slow connection was closed by the header timeout (1 s) after it was opened: they were
        // all open within openedIn s, and 3.5 s have passed since
        long stillOpen = all.stream().filter(ConnectionTest::open).count();
        assertThat(stillOpen).as("connections still open %.1f s after the last was opened", 3.5).isZero();
        String metrics = f.getAdmin("/metrics").body();
        assertThat(counter(metrics, "header_timeout")).isEqualTo(2100);
        assertThat(counter(metrics, "too_many") + counter(metrics, "too_many_per_client")).isZero();
        assertThat(openedIn).isLessThan(30);
      } finally {
        for (SocketChannel c : idle) {
          c.close();
        }
        for (SocketChannel c : half) {
          c.close();
        }
        for (SocketChannel c : trickling) {
          c.close();
        }
      }
      // the count of open connections goes back to nothing (the test's own HTTP client's connection
      // included, by the keep-alive timeout): nothing is kept per closed connection
      long until = System.nanoTime() + 5_000_000_000L;
      while (gauge(f.getAdmin("/metrics").body()) > 0 && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertThat(gauge(f.getAdmin("/metrics").body())).isZero();
    }
  }

  @Test
  void aKeptAliveConnectionIsClosedWhenIdleButNeverDuringARequestOrStream() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config(0, 0))) {
      try (Socket s = new Socket("127.0.0.1", f.gateway.port())) {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        // a stream of 30 tokens at 10 per second: 3 s, longer than every timeout of the connection
        String body = chat("paced", true, "x");
        s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n"
            + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        String stream = readUntil(in, "\r\n0\r\n\r\n");
        assertThat(stream).startsWith("HTTP/1.1 200").contains("data: [DONE]");
        assertThat(stream.split("\"content\"", -1).length).isGreaterThan(20);
        long ended = System.nanoTime();
        // idle after the response: still open half-way through the keep-alive timeout, closed after it
        Thread.sleep(700);
        s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nhost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readUntil(in, "]}")).startsWith("HTTP/1.1 200");
        long secondEnded = System.nanoTime();
        int eof = in.read();
        double closedAfter = (System.nanoTime() - secondEnded) / 1e9;
        assertThat(eof).isEqualTo(-1);
        assertThat(closedAfter).isBetween(1.3, 3.5);
        assertThat((secondEnded - ended) / 1e9).isGreaterThan(0.6);
      }
      assertThat(counter(f.getAdmin("/metrics").body(), "keep_alive_timeout")).isEqualTo(1);
      assertThat(counter(f.getAdmin("/metrics").body(), "header_timeout")).isZero();
    }
  }

  @Test
  void aBodyThatDoesNotArriveInTimeGets408AndItsConnectionCloses() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config(0, 0))) {
      try (Socket s = new Socket("127.0.0.1", f.gateway.port())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n"
            + "content-length: 100\r\n\r\n{\"model\":").getBytes(StandardCharsets.US_ASCII));
        long sent = System.nanoTime();
        InputStream in = s.getInputStream();
        String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8); // to the end: the gateway closes
        double took = (System.nanoTime() - sent) / 1e9;
        assertThat(reply).startsWith("HTTP/1.1 408").contains("x-portcullis-error: request_timeout")
            .contains("\"code\":\"request_timeout\"").containsIgnoringCase("connection: close");
        assertThat(took).isBetween(0.9, 3.0);
      }
      assertThat(counter(f.getAdmin("/metrics").body(), "body_timeout")).isEqualTo(1);
      // a body that arrives in time, in pieces, is read as always
      try (Socket s = new Socket("127.0.0.1", f.gateway.port())) {
        s.setSoTimeout(10_000);
        String body = chat("fast", false, "hi");
        s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n"
            + "content-length: " + body.length() + "\r\n\r\n" + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(400);
        s.getOutputStream().write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
        assertThat(readUntil(s.getInputStream(), "}}")).startsWith("HTTP/1.1 200");
      }
    }
  }

  @Test
  void connectionsPastTheCapsAreRefusedAtOnceAndFreedSlotsServeAgain() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config(8, 5).replace("header_timeout: 1s", "header_timeout: 30s"))) {
      List<SocketChannel> held = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          held.add(connect(f, "127.0.0.1"));
        }
        SocketChannel sixth = connect(f, "127.0.0.1");
        assertThat(closedWithin(sixth, 2000)).as("the sixth connection of one client").isTrue();
        // another client address still gets in, up to the process-wide cap of 8
        for (int i = 0; i < 3; i++) {
          held.add(connect(f, "127.0.0.2"));
        }
        SocketChannel ninth = connect(f, "127.0.0.3");
        assertThat(closedWithin(ninth, 2000)).as("the ninth connection of the process").isTrue();
        for (SocketChannel c : held) {
          assertThat(open(c)).isTrue();
        }
        String metrics = f.getAdmin("/metrics").body();
        assertThat(counter(metrics, "too_many_per_client")).isEqualTo(1);
        assertThat(counter(metrics, "too_many")).isEqualTo(1);
        assertThat(gauge(metrics)).isEqualTo(8);
        // freed slots serve again
        held.remove(0).close();
        held.remove(0).close();
        long until = System.nanoTime() + 5_000_000_000L;
        while (gauge(f.getAdmin("/metrics").body()) > 6 && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        HttpResponse<String> res = f.post("/v1/chat/completions", chat("fast", false, "hello"));
        assertThat(res.statusCode()).isEqualTo(200);
      } finally {
        for (SocketChannel c : held) {
          c.close();
        }
      }
    }
  }

  @Test
  void http2CleartextConnectionsAreWatchedToo() throws Exception {
    for (boolean upgrade : new boolean[] {false, true}) {
      try (GatewayFixture f = new GatewayFixture(config(0, 0).replace("  instances: 2\n", "  instances: 2\n  h2c: true\n"))) {
        io.vertx.core.http.HttpClient h2 = f.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
            .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(upgrade));
        try {
          // a stream longer than the timeouts (prior knowledge, or an Upgrade from HTTP/1.1), then an idle close
          String body = GatewayFixture.await(h2.request(new io.vertx.core.http.RequestOptions()
                  .setMethod(io.vertx.core.http.HttpMethod.POST).setHost("127.0.0.1").setPort(f.gateway.port())
                  .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
              .compose(req -> req.send(chat("paced", true, "x")))
              .compose(res -> res.version() == io.vertx.core.http.HttpVersion.HTTP_2 ? res.body()
                  : io.vertx.core.Future.failedFuture("not HTTP/2: " + res.version())))
              .toString();
          assertThat(body).as("upgrade %s", upgrade).endsWith("data: [DONE]\n\n");
          long until = System.nanoTime() + 6_000_000_000L;
          while (gauge(f.getAdmin("/metrics").body()) > 0 && System.nanoTime() < until) {
            Thread.sleep(100);
          }
          String metrics = f.getAdmin("/metrics").body();
          assertThat(counter(metrics, "keep_alive_timeout")).as("upgrade %s", upgrade).isEqualTo(1);
          assertThat(counter(metrics, "header_timeout")).as("upgrade %s", upgrade).isZero();
          assertThat(gauge(metrics)).isZero();
        } finally {
          h2.close();
        }
      }
    }
  }

  static SocketChannel connect(GatewayFixture f) throws IOException {
    return SocketChannel.open(new InetSocketAddress("127.0.0.1", f.gateway.port()));
  }

  static SocketChannel connect(GatewayFixture f, String from) throws IOException {
    SocketChannel c = SocketChannel.open();
    c.bind(new InetSocketAddress(from, 0));
    c.connect(new InetSocketAddress("127.0.0.1", f.gateway.port()));
    return c;
  }

  static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** Whether the gateway has left the connection open (a read finds neither the end nor a reset). */
  static boolean open(SocketChannel c) {
    try {
      c.configureBlocking(false);
      ByteBuffer buf = ByteBuffer.allocate(4096);
      int n;
      do {
        buf.clear();
        n = c.read(buf);
      } while (n > 0);
      return n == 0;
    } catch (IOException reset) {
      return false;
    }
  }

  static boolean closedWithin(SocketChannel c, long ms) throws InterruptedException {
    long until = System.nanoTime() + ms * 1_000_000;
    while (System.nanoTime() < until) {
      if (!open(c)) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buf = new byte[8192];
    while (seen.indexOf(end) < 0) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return seen.toString();
  }

  static long counter(String metrics, String reason) {
    Matcher m = Pattern.compile("portcullis_connections_closed_total\\{reason=\"" + reason + "\"} ([0-9.]+)").matcher(metrics);
    assertThat(m.find()).as("counter for %s", reason).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  static long gauge(String metrics) {
    Matcher m = Pattern.compile("portcullis_connections_open ([0-9.]+)").matcher(metrics);
    assertThat(m.find()).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }
}
