package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain requests (model {@code chat}) and streams (model {@code paced}) from one caller, each on a
 * thread of its own that sends one after another until closed, spread over the given endpoints.
 * Every non-200 answer, every stream without its {@code [DONE]} and every I/O error is recorded.
 */
final class Load implements AutoCloseable {

  final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicInteger ok = new AtomicInteger();
  final AtomicInteger streams = new AtomicInteger();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final ExecutorService pool;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param endpoints the chat completions URIs; thread t uses endpoint t mod their number
   * @param plain threads sending plain requests
   * @param streaming threads sending streaming requests
   */
  Load(List<URI> endpoints, String credential, int plain, int streaming) {
    pool = Executors.newFixedThreadPool(plain + streaming);
    for (int t = 0; t < plain + streaming; t++) {
      boolean stream = t >= plain;
      URI target = endpoints.get(t % endpoints.size());
      pool.submit(() -> {
        while (running.get()) {
          send(target, credential, stream);
        }
      });
    }
  }

  private void send(URI target, String credential, boolean stream) {
    try {
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
          .header("authorization", "Bearer " + credential).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(chat(stream ? "paced" : "chat", stream, "hi"))).build(),
          HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        failures.add(java.time.Instant.now() + " " + res.statusCode() + " " + res.body());
      } else if (stream && !res.body().endsWith("data: [DONE]\n\n")) {
        failures.add("truncated stream: " + res.body().substring(Math.max(0, res.body().length() - 200)));
      } else {
        (stream ? streams : ok).incrementAndGet();
      }
    } catch (Exception e) {
      failures.add(java.time.Instant.now() + " " + e);
    }
  }

  @Override
  public void close() throws Exception {
    running.set(false);
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }
}
