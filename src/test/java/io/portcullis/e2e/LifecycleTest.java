package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static io.portcullis.e2e.GatewayFixture.events;
import static io.portcullis.e2e.GatewayFixture.openAiText;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.sse.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Config reloads and graceful shutdown, each on a gateway of its own. */
class LifecycleTest {

  static String config(String key, String extraModel) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 2, readiness_delay: 300ms, drain_timeout: 10s}
        admin: {host: 127.0.0.1, port: 0}
        providers:
          - {name: mock, base_url: "${MOCK_URL}", api_keys: [KEY]}
        models:
          - {name: chat, targets: [{provider: mock, model: "m@rate=0"}]}
          - {name: paced, targets: [{provider: mock, model: "m@rate=20;tokens=30"}]}
        """.replace("KEY", key) + extraModel;
  }

  static List<String> models(GatewayFixture f) throws Exception {
    return new JsonObject(f.get("/v1/models").body()).getJsonArray("data").stream()
        .map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void reloadSwapsTheConfigAndRefusesAnInvalidOne() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("key-old", ""))) {
      assertThat(models(f)).containsExactly("chat", "paced");
      // a stream that is running while the key rotates finishes on the old snapshot
      CompletableFuture<HttpResponse<String>> running = f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/chat/completions"))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat("paced", true, "x")))
          .build(), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(200);

      Files.writeString(f.configFile, config("key-new", "  - {name: added, targets: [{provider: mock, model: a}]}\n"));
      assertThat(GatewayFixture.await(f.gateway.reload())).isTrue();
      assertThat(models(f)).containsExactly("chat", "paced", "added");
      f.mock.clear();
      assertThat(f.post("/v1/chat/completions", chat("added", false, "x")).statusCode()).isEqualTo(200);
      assertThat(f.mock.last().headers().get("authorization")).isEqualTo("Bearer key-new");

      HttpResponse<String> finished = running.get(20, TimeUnit.SECONDS);
      List<SseEvent> events = events(finished.body());
      assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
      assertThat(openAiText(events).split(" ")).hasSize(30);

      Files.writeString(f.configFile, "providers: [{name: broken, base_url: nope}]\nmodels: []\n");
      assertThat(GatewayFixture.await(f.gateway.reload())).isFalse();
      assertThat(models(f)).containsExactly("chat", "paced", "added");
      assertThat(f.post("/v1/chat/completions", chat("added", false, "x")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void reloadsWhenTheFileChangesAndOnSighup() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("k", ""))) {
      Files.writeString(f.configFile, config("k", "  - {name: watched, targets: [{provider: mock, model: a}]}\n"));
      assertThat(waitFor(() -> models(f).contains("watched"))).as("file watcher picked up the change").isTrue();

      f.gateway.reloadOnSighup();
      Files.writeString(f.configFile, config("k", "  - {name: hup, targets: [{provider: mock, model: a}]}\n"));
      new ProcessBuilder("kill", "-HUP", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
      assertThat(waitFor(() -> models(f).contains("hup"))).as("SIGHUP reloaded").isTrue();
    }
  }

  @Test
  void requestsDuringReloadsSeeOneWholeSnapshot() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("k", ""))) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger bad = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      for (int t = 0; t < 4; t++) {
        pool.submit(() -> {
          while (running.get()) {
            try {
              int status = f.post("/v1/chat/completions", chat("chat", true, "x")).statusCode();
              (status == 200 ? ok : bad).incrementAndGet();
            } catch (Exception e) {
              bad.incrementAndGet();
            }
          }
          return null;
        });
      }
      for (int i = 0; i < 20; i++) {
        Files.writeString(f.configFile, config(i % 2 == 0 ? "a" : "b", i % 2 == 0 ? "" : "  - {name: extra, targets: [{provider: mock, model: a}]}\n"));
        assertThat(GatewayFixture.await(f.gateway.reload())).isTrue();
      }
      running.set(false);
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(bad.get()).isZero();
      assertThat(ok.get()).isPositive();
    }
  }

  @Test
  void shutdownFailsReadinessFirstAndDrainsOpenStreams() throws Exception {
    GatewayFixture f = new GatewayFixture(config("k", ""));
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(io.portcullis.server.Gateway.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> said = new ch.qos.logback.core.read.ListAppender<>();
    said.start();
    log.addAppender(said);
    try {
      assertThat(f.getAdmin("/readyz").statusCode()).isEqualTo(200);
      CompletableFuture<HttpResponse<String>> stream = f.http.sendAsync(HttpRequest.newBuilder(f.uri("/v1/chat/completions"))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat("paced", true, "x")))
          .build(), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(200);
      int port = f.gateway.port();
      Future<Void> stopped = f.gateway.stop();
      HttpResponse<String> ready = f.getAdmin("/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getBoolean("draining")).isTrue();
      assertThat(f.getAdmin("/healthz").statusCode()).isEqualTo(200);

      List<SseEvent> events = events(stream.get(20, TimeUnit.SECONDS).body());
      assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
      assertThat(openAiText(events).split(" ")).hasSize(30);
      GatewayFixture.await(stopped);
      // the log says what the gateway is doing while it stops
      assertThat(said.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.startsWith("shutting down: /readyz fails from now"))
          .anyMatch(m -> m.contains("1 requests in flight, 1 of them streams"))
          .anyMatch(m -> m.startsWith("stopped: every request in flight finished"));
      try (java.net.Socket s = new java.net.Socket()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000))
            .isInstanceOf(java.io.IOException.class);
      }
    } finally {
      log.detachAppender(said);
      f.close();
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static boolean waitFor(Check check) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      if (check.ok()) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }
}
