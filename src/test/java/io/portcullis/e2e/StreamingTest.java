package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static io.portcullis.e2e.GatewayFixture.openAiText;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SSE relay end to end: fidelity, faults mid-stream, heartbeats, cancellation, backpressure. */
class StreamingTest {

  /** A stream with every SSE oddity, served by {@link #raw} in random chunks. */
  static final String TRICKY = ": opening comment\r\n"
      + "event: custom\r\nid: 1\r\nretry: 2500\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"h\u00e9\"}}]}\r\n\r\n"
      + "data: line one\rdata: line two\r\r"
      + "x-vendor-field: kept\nfoo\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\u65e5\u672c\uD83D\uDE00\"}}]}\n\n"
      + ":\n\n"
      + "data:  leading space kept\n\n"
      + "data: [DONE]\n\n";

  static GatewayFixture f;
  static HttpServer raw;

  @BeforeAll
  static void start() throws Exception {
    io.vertx.core.Vertx rawVertx = io.vertx.core.Vertx.vertx();
    Random random = new Random(42);
    raw = GatewayFixture.await(rawVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      byte[] bytes = TRICKY.getBytes(StandardCharsets.UTF_8);
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      List<Buffer> chunks = new ArrayList<>();
      int i = 0;
      synchronized (random) {
        while (i < bytes.length) {
          int n = Math.min(bytes.length - i, 1 + random.nextInt(9));
          chunks.add(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, i, i + n)));
          i += n;
        }
      }
      writeSlowly(rawVertx, req.response(), chunks, 0);
    })).listen(0, "127.0.0.1"));
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1, h2c: true}
        admin: {enabled: false}
        upstream: {max_response_size: 64KiB}
        stream: {max_event_size: 16KiB, heartbeat_interval: 150ms}
        providers:
          - name: mock
            base_url: ${MOCK_URL}
            timeouts: {connect: 1s, first_byte: 2s, idle: 1s, total: 60s}
          - name: claude
            type: anthropic
            base_url: ${MOCK_URL}
          - name: raw
            base_url: http://127.0.0.1:RAW_PORT/v1
        models:
          - {name: fast, targets: [{provider: mock, model: "m@rate=0"}]}
          - {name: slow, targets: [{provider: mock, model: "m@rate=20;tokens=1000"}]}
          - {name: paced, targets: [{provider: mock, model: "m@rate=3;tokens=3"}]}
          - {name: stalls, targets: [{provider: mock, model: "m@rate=0.5;tokens=5"}]}
          - {name: aborts, targets: [{provider: mock, model: "m@rate=0;abort_after=5"}]}
          - {name: claude-aborts, targets: [{provider: claude, model: "m@rate=0;abort_after=2"}]}
          - {name: malformed, targets: [{provider: mock, model: "m@rate=0;malformed_after=2;tokens=5"}]}
          - {name: huge-event, targets: [{provider: mock, model: "m@rate=0;tokens=3;token_size=20000"}]}
          - {name: huge-body, targets: [{provider: mock, model: "m@tokens=200;token_size=1000"}]}
          - {name: firehose, targets: [{provider: mock, model: "m@rate=0;tokens=100000;token_size=2000"}]}
          - {name: tricky, targets: [{provider: raw, model: t}]}
        """.replace("RAW_PORT", String.valueOf(raw.actualPort())));
  }

  static void writeSlowly(io.vertx.core.Vertx vertx, io.vertx.core.http.HttpServerResponse res, List<Buffer> chunks, int i) {
    if (i == chunks.size()) {
      res.end();
      return;
    }
    res.write(chunks.get(i));
    vertx.setTimer(1, t -> writeSlowly(vertx, res, chunks, i + 1));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void relaysEveryEventFieldAsTheUpstreamSentIt() throws Exception {
    for (int round = 0; round < 5; round++) {
      HttpResponse<String> res = f.post("/v1/chat/completions", chat("tricky", true, "x"));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(events(res.body())).isEqualTo(events(TRICKY));
    }
  }

  @Test
  void passesAMalformedChunkOnWithoutBreakingTheStream() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("malformed", true, "x"));
    List<SseEvent> events = events(res.body());
    assertThat(events).anyMatch(e -> e.data() != null && e.data().contains("\"oops"));
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
  }

  @Test
  void endsAnAbortedStreamWithAnErrorEventAndNoDone() throws Exception {
    List<SseEvent> events = events(f.post("/v1/chat/completions", chat("aborts", true, "x")).body());
    assertThat(events).noneMatch(e -> "[DONE]".equals(e.data()));
    JsonObject error = new JsonObject(events.get(events.size() - 1).data()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("upstream_aborted");
    assertThat(error.getString("type")).isEqualTo("upstream_error");
    assertThat(openAiText(events)).isNotEmpty();

    List<SseEvent> claude = events(f.post("/v1/messages",
        "{\"model\":\"claude-aborts\",\"stream\":true,\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").body());
    SseEvent last = claude.get(claude.size() - 1);
    assertThat(last.type()).isEqualTo("error");
    assertThat(new JsonObject(last.data()).getJsonObject("error").getString("type")).isEqualTo("api_error"); // Anthropic's type for a 502
    assertThat(claude).noneMatch(e -> "message_stop".equals(e.type()));
  }

  @Test
  void endsAStreamWhoseUpstreamGoesSilent() throws Exception {
    List<SseEvent> events = events(f.post("/v1/chat/completions", chat("stalls", true, "x")).body());
    JsonObject error = new JsonObject(events.get(events.size() - 1).data()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("upstream_idle_timeout");
    assertThat(error.getString("type")).isEqualTo("timeout_error");
  }

  @Test
  void sendsHeartbeatsWhileUpstreamIsQuiet() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("paced", true, "x"));
    assertThat(res.body()).contains(": keep-alive\n\n");
    List<SseEvent> events = events(res.body());
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
    assertThat(openAiText(events)).isEqualTo("the gateway streams");
  }

  @Test
  void refusesAnUpstreamEventOverTheSizeLimit() throws Exception {
    List<SseEvent> events = events(f.post("/v1/chat/completions", chat("huge-event", true, "x")).body());
    JsonObject error = new JsonObject(events.get(events.size() - 1).data()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("upstream_event_too_large");
  }

  @Test
  void refusesANonStreamingResponseOverTheSizeLimit() throws Exception {
    HttpResponse<String> res = f.post("/v1/chat/completions", chat("huge-body", false, "x"));
    ApiTest.assertError(res, 502, "upstream_response_too_large");
  }

  @Test
  void streamsOverHttp2CleartextToo() throws Exception {
    io.vertx.core.http.HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      String[] result = new String[2];
      GatewayFixture.await(h2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(f.gateway.port()).setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
          .compose(req -> req.send(chat("fast", true, "/echo over h2")))
          .compose(res -> {
            result[0] = res.version().name();
            return res.body();
          })
          .map(body -> result[1] = body.toString()));
      assertThat(result[0]).isEqualTo("HTTP_2");
      assertThat(openAiText(events(result[1]))).isEqualTo("over h2");
    } finally {
      h2.close();
    }
  }

  @Test
  void clientDisconnectCancelsTheUpstreamWithin100ms() throws Exception {
    for (int round = 0; round < 3; round++) {
      long cancelledBefore = f.mock.streamsCancelled.get();
      long closedAt;
      try (Socket s = new Socket("127.0.0.1", f.gateway.port())) {
        String body = chat("slow", true, "x");
        s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n"
            + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        InputStream in = s.getInputStream();
        String seen = "";
        byte[] buf = new byte[4096];
        while (seen.split("data:", -1).length < 4) {
          int n = in.read(buf);
          assertThat(n).isPositive();
          seen += new String(buf, 0, n, StandardCharsets.UTF_8);
        }
        closedAt = System.nanoTime();
      }
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (f.mock.streamsCancelled.get() == cancelledBefore && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertThat(f.mock.streamsCancelled.get()).isGreaterThan(cancelledBefore);
      long tookMs = (f.mock.lastCancelNanos.get() - closedAt) / 1_000_000;
      System.out.printf("upstream cancelled %.2f ms after the client closed%n", (f.mock.lastCancelNanos.get() - closedAt) / 1e6);
      assertThat(tookMs).as("upstream cancelled %d ms after the client left", tookMs).isLessThan(100);
    }
  }

  @Test
  void aSlowClientHoldsTheUpstreamBackInsteadOfFillingMemory() throws Exception {
    long completedBefore = f.mock.streamsCompleted.get();
    long writtenBefore = f.mock.bytesWritten.get();
    long fullBefore = f.mock.writeQueueFullEvents.get();
    long read = 0;
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(16 * 1024);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", f.gateway.port()));
      String body = chat("firehose", true, "x");
      s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n"
          + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16 * 1024];
      long end = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < end) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        read += n;
        Thread.sleep(5); // about 3 MB/s: far slower than the mock can write
      }
      long upstreamWritten = f.mock.bytesWritten.get() - writtenBefore;
      long lag = upstreamWritten - read;
      System.out.printf("slow client read %d bytes in 3 s; upstream wrote %d; in flight %d%n", read, upstreamWritten, lag);
      // The stream is 200 MB. Without backpressure the mock would have written all of it by now;
      // with it, only what fits in socket buffers and write queues is in flight.
      assertThat(f.mock.streamsCompleted.get()).isEqualTo(completedBefore);
      assertThat(f.mock.writeQueueFullEvents.get()).isGreaterThan(fullBefore);
      assertThat(lag).as("bytes written upstream but not yet read by the client").isLessThan(64L << 20);
      assertThat(upstreamWritten).isLessThan(100L << 20);
    }
  }
}
