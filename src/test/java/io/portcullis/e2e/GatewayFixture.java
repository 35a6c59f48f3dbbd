package io.portcullis.e2e;

import io.portcullis.server.Configs;
import io.portcullis.server.Gateway;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.MockConfig;
import io.portcullis.mock.MockProviderVerticle;
import io.portcullis.mock.MockStats;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway and a real mock provider on loopback, random ports. The config text may use
 * {@code ${MOCK_URL}} (the mock's /v1 base URL) and {@code ${DEAD_URL}} (a port nobody listens on).
 */
final class GatewayFixture implements AutoCloseable {

  /** Metrics made before Vert.x, as the run command does, so Vert.x's own meters land in the same registry. */
  final io.portcullis.observe.Metrics metrics = new io.portcullis.observe.Metrics();
  final Vertx vertx;
  final MockStats mock = new MockStats();
  final Map<String, String> env = new HashMap<>();
  final Path configFile;
  final Gateway gateway;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  GatewayFixture(String configText) throws Exception {
    this(configText, new MockConfig(true, "127.0.0.1", 0, 0, 24, Duration.ZERO));
  }

  GatewayFixture(String configText, MockConfig mockConfig) throws Exception {
    // as the run command does: Vert.x's meters, unless the PROXY protocol is on (Metrics.vertxMetricsWith)
    vertx = metrics.newVertx(new io.vertx.core.VertxOptions(), !configText.contains("proxy_protocol: true"));
    MockProviderVerticle mockVerticle = new MockProviderVerticle(mockConfig, mock);
    await(vertx.deployVerticle(mockVerticle));
    env.put("MOCK_URL", "http://127.0.0.1:" + mockVerticle.actualPort() + "/v1");
    env.put("DEAD_URL", "http://127.0.0.1:" + freePort() + "/v1");
    configFile = Files.createTempFile("portcullis-test", ".yaml");
    Files.writeString(configFile, configText);
    ConfigLoader loader = Configs.loader(env);
    GatewayConfig config = loader.load(configFile);
    if (!configText.contains("warmup: {enabled: true")) {
      // a few seconds per start, hundreds of starts: only the tests of the warm-up warm up
      config = config.withServer(config.server().withWarmup(io.portcullis.config.ServerConfig.Warmup.OFF));
    }
    gateway = await(Gateway.start(vertx, config, configFile, loader, metrics));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  HttpResponse<String> post(String path, String json) throws Exception {
    return post(path, json, Map.of());
  }

  HttpResponse<String> post(String path, String json, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return get(path, Map.of());
  }

  HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> getAdmin(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static String chat(String model, boolean stream, String userText) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":" + io.vertx.core.json.Json.encode(userText) + "}]}";
  }

  static List<SseEvent> events(String body) {
    return SseEvents.parse(body);
  }

  /** Concatenated {@code choices[0].delta.content} of an OpenAI stream. */
  static String openAiText(List<SseEvent> events) {
    StringBuilder text = new StringBuilder();
    for (SseEvent e : events) {
      String data = e.data();
      if (data == null || data.equals("[DONE]") || !data.startsWith("{")) {
        continue;
      }
      io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(data);
      io.vertx.core.json.JsonArray choices = json.getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        String c = choices.getJsonObject(0).getJsonObject("delta").getString("content");
        if (c != null) {
          text.append(c);
        }
      }
    }
    return text.toString();
  }

  @Override
  public void close() throws Exception {
    try {
      await(gateway.stop());
    } finally {
      await(vertx.close());
      Files.deleteIfExists(configFile);
    }
  }
}
