package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics after a mixed workload: the named series, their values, and nothing secret in any label. */
class MetricsTest {

  @Test
  void aScrapeCountsRequestsAuthFailuresLimitDecisionsAndRedactions() throws Exception {
    Path keyFile = Files.createTempFile("keys", ".yaml");
    String[] key = io.portcullis.auth.ApiKeyFormat.generate();
    io.portcullis.config.KeyFile.write(keyFile, List.of(
        new io.portcullis.config.StoredKey(key[1], key[2], "carol-the-user", null, List.of("r"), Instant.now(), null, false)));
    String config = """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {host: 127.0.0.1, port: 0}
        scrub: {enabled: true}
        auth:
          enabled: true
          api_keys: {file: "KEYFILE"}
          roles: [{name: r, models: ["*"], limit: p}]
        limits:
          policies:
            p: {requests: {limit: 2, window: 1m}}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
        """.replace("KEYFILE", keyFile.toString());
    try (GatewayFixture f = new GatewayFixture(config)) {
      Map<String, String> auth = Map.of("authorization", "Bearer " + key[0]);
      assertThat(f.post("/v1/chat/completions", chat("chat", false, "/echo write to jane@example.com"), auth).statusCode()).isEqualTo(200);
      assertThat(f.post("/v1/chat/completions", chat("chat", true, "hi"), auth).statusCode()).isEqualTo(200);
      assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), auth).statusCode()).isEqualTo(429);
      assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi"), Map.of("authorization", "Bearer pc-wrong")).statusCode()).isEqualTo(401);

      HttpResponse<String> scrape = f.getAdmin("/metrics");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
      String text = scrape.body();
      assertThat(text).contains("portcullis_requests_seconds_count{route=\"chat_completions\",status=\"2xx\"} 2\n")
          .contains("portcullis_requests_seconds_count{route=\"chat_completions\",status=\"4xx\"} 2\n")
          .contains("portcullis_requests_seconds_bucket{route=\"chat_completions\",status=\"2xx\",le=")
          .contains("portcullis_auth_failures_total{reason=\"invalid_api_key\"} 1.0")
          .contains("portcullis_ratelimit_decisions_total{mode=\"local\",outcome=\"allowed\",policy=\"p\"} 2.0")
          .contains("portcullis_ratelimit_decisions_total{mode=\"local\",outcome=\"denied\",policy=\"p\"} 1.0")
          .contains("portcullis_redactions_total{rule=\"email\"} 1.0")
          .contains("portcullis_requests_in_flight 0.0")
          // OpenTelemetry GenAI conventions: the non-streaming answer reported its usage
          .contains("gen_ai_client_token_usage_tokens_count{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
              + "gen_ai_request_model=\"chat\",gen_ai_token_type=\"input\"} 1\n")
          .contains("gen_ai_client_token_usage_tokens_count{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
              + "gen_ai_request_model=\"chat\",gen_ai_token_type=\"output\"} 1\n")
          .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"none\",gen_ai_operation_name=\"chat\","
              + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"chat\"} 2\n")
          .contains("gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
              + "gen_ai_request_model=\"chat\"} 1\n")
          .contains("gen_ai_server_time_per_output_token_seconds_count{");
      // no label carries a key, a user, a prompt or a redacted value
      assertThat(text).doesNotContain(key[1]).doesNotContain("carol-the-user").doesNotContain("jane@example.com")
          .doesNotContain("pc-wrong").doesNotContain("write to");
    }
  }

  @Test
  void upstreamErrorsFailoversRedisLatencyAndVertxSeries() throws Exception {
    try (io.portcullis.RedisServer redis = new io.portcullis.RedisServer()) {
      String config = """
          server: {host: 127.0.0.1, port: 0, instances: 1}
          admin: {host: 127.0.0.1, port: 0}
          redis: {url: "REDIS"}
          auth: {enabled: false, roles: [{name: r, models: ["*"], limit: p}], default_roles: [r]}
          limits:
            policies:
              p: {requests: {limit: 100, window: 1m}}
          providers:
            - {name: mock, base_url: "${MOCK_URL}"}
            - {name: strict, base_url: "${MOCK_URL}"}
          models:
            - {name: chat, targets: [{provider: mock, model: m}]}
            - {name: flaky, targets: [{provider: strict, model: "m@status=500"}, {provider: mock, model: m}]}
            - {name: broken, targets: [{provider: strict, model: "m@status=429"}]}
          """.replace("REDIS", redis.url());
      try (GatewayFixture f = new GatewayFixture(config)) {
        assertThat(f.post("/v1/chat/completions", chat("chat", false, "hi")).statusCode()).isEqualTo(200);
        assertThat(f.post("/v1/chat/completions", chat("flaky", false, "hi")).statusCode()).isEqualTo(200);
        assertThat(f.post("/v1/chat/completions", chat("flaky", true, "hi")).statusCode()).isEqualTo(200);
        assertThat(f.post("/v1/chat/completions", chat("broken", false, "hi")).statusCode()).isEqualTo(429);
        String text = f.getAdmin("/metrics").body();
        assertThat(text)
            .contains("portcullis_upstream_errors_total{kind=\"upstream_error\",provider=\"strict\"} 2.0")
            .contains("portcullis_upstream_errors_total{kind=\"upstream_rate_limited\",provider=\"strict\"} 1.0")
            .contains("portcullis_upstream_failovers_total{provider=\"strict\"} 2.0")
            .doesNotContain("portcullis_upstream_errors_total{kind=\"upstream_error\",provider=\"mock\"}")
            .contains("portcullis_redis_latency_seconds_count{operation=\"decide\",outcome=\"ok\"} 4\n")
            .contains("portcullis_redis_latency_seconds_bucket{operation=\"decide\",outcome=\"ok\",le=")
            .contains("portcullis_ratelimit_decisions_total{mode=\"redis\",outcome=\"allowed\",policy=\"p\"} 4.0")
            .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"upstream_rate_limited\"")
            // Vert.x's own meters (server requests by method and code, the client pool) and the JVM's
            .containsPattern("vertx_http_server_requests_total\\{code=\"200\",local=\"[^\"]+\",method=\"POST\"\\} [0-9.]+")
            .doesNotContain("vertx_http_client_") // off on purpose: the upstream series cover it
            .contains("jvm_memory_used_bytes")
            .containsPattern("portcullis_log_events_dropped_total [0-9.]+");
        // no label is a client address: Vert.x's remote label stays off
        assertThat(text).doesNotContain("remote=");
        // readiness names each model's reachability
        HttpResponse<String> ready = f.getAdmin("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new io.vertx.core.json.JsonObject(ready.body()).getJsonObject("models").getMap())
            .containsEntry("chat", "reachable").containsEntry("broken", "reachable");
      }
    }
  }

  @Test
  void readinessFollowsTheReachabilityOfEachModelsTargets() throws Exception {
    int port = GatewayFixture.freePort();
    String config = """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {host: 127.0.0.1, port: 0}
        observe: {probe_interval: 200ms}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
          - {name: later, base_url: "http://127.0.0.1:PORT/v1"}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
          - {name: both, targets: [{provider: later, model: m}, {provider: mock, model: m}]}
          - {name: alone, targets: [{provider: later, model: m}]}
        """.replace("PORT", String.valueOf(port));
    try (GatewayFixture f = new GatewayFixture(config)) {
      HttpResponse<String> notReady = f.getAdmin("/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(new io.vertx.core.json.JsonObject(notReady.body()).getJsonObject("models").getMap())
          .containsEntry("alone", "unreachable").containsEntry("both", "reachable").containsEntry("chat", "reachable");
      try (java.net.ServerSocket listener = new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
        awaitStatus(f, 200);
      }
      awaitStatus(f, 503); // gone again
    }
  }

  private static void awaitStatus(GatewayFixture f, int status) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    int last;
    do {
      last = f.getAdmin("/readyz").statusCode();
      if (last == status) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertThat(last).isEqualTo(status);
  }
}
