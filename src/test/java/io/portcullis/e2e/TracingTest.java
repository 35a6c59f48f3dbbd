package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Traces end to end: the gateway exports over OTLP/HTTP to a receiver in this test (a real HTTP
 * server decoding the protobuf the SDK sends); a request carries the client's trace id, has its
 * server span with the GenAI attributes and children for auth, limits, the call upstream and the
 * stream, and the provider is sent the upstream span's context. No prompt text unless configured,
 * and then redacted.
 */
class TracingTest {

  /** A collector: every span exported to it, with its resource's service name. */
  HttpServer receiver;
  final List<Span> spans = new CopyOnWriteArrayList<>();
  final List<String> services = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/traces", exchange -> {
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
      for (ResourceSpans rs : request.getResourceSpansList()) {
        rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
            .forEach(a -> services.add(a.getValue().getStringValue()));
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          spans.addAll(ss.getSpansList());
        }
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  String config(String tracing) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        observe:
          tracing: {enabled: true, endpoint: "http://127.0.0.1:PORT/v1/traces", service_name: gw-test, TRACING}
        auth: {enabled: false, roles: [{name: r, models: ["*"], limit: p}], default_roles: [r]}
        limits:
          policies:
            p: {requests: {limit: 1000, window: 1m}, tokens: {limit: 1000000, window: 1m}}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: up-chat}]}
        """.replace("PORT", String.valueOf(receiver.getAddress().getPort())).replace("TRACING", tracing);
  }

  static String attr(Span s, String key) {
    return s.getAttributesList().stream().filter(a -> a.getKey().equals(key)).map(KeyValue::getValue).map(TracingTest::text)
        .findFirst().orElse(null);
  }

  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> String.valueOf(v.getIntValue());
      case DOUBLE_VALUE -> String.valueOf(v.getDoubleValue());
      case BOOL_VALUE -> String.valueOf(v.getBoolValue());
      default -> v.toString();
    };
  }

  static String hex(com.google.protobuf.ByteString b) {
    return HexFormat.of().formatHex(b.toByteArray());
  }

  /** The spans of one trace, once its root (a span whose parent is not in it) and {@code count} spans arrived. */
  List<Span> trace(String traceId, int count) throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L; // the batch goes out every second
    while (System.nanoTime() < deadline) {
      List<Span> mine = spans.stream().filter(s -> hex(s.getTraceId()).equals(traceId)).toList();
      if (mine.size() >= count) {
        return mine;
      }
      Thread.sleep(50);
    }
    return spans.stream().filter(s -> hex(s.getTraceId()).equals(traceId)).toList();
  }

  @Test
  void aStreamedRequestIsOneTraceWithTheClientsIdItsStagesAndTheCallUpstream() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String clientSpan = "00f067aa0ba902b7";
    try (GatewayFixture f = new GatewayFixture(config("sampling: 0.0"))) {
      // sampling 0 for new traces; the client's sampled parent decides for its own
      HttpResponse<String> res = f.post("/v1/chat/completions", chat("chat", true, "/echo tell me a story"),
          Map.of("traceparent", "00-" + traceId + "-" + clientSpan + "-01"));
      assertThat(res.statusCode()).isEqualTo(200);
      List<Span> trace = trace(traceId, 5);
      Map<String, Span> byName = trace.stream().collect(Collectors.toMap(Span::getName, s -> s, (a, b) -> a));
      assertThat(byName.keySet()).containsExactlyInAnyOrder("chat chat", "auth", "limits", "chat up-chat", "stream");
      Span root = byName.get("chat chat");
      assertThat(hex(root.getParentSpanId())).isEqualTo(clientSpan);
      assertThat(root.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(attr(root, "gen_ai.operation.name")).isEqualTo("chat");
      assertThat(attr(root, "gen_ai.request.model")).isEqualTo("chat");
      assertThat(attr(root, "gen_ai.response.model")).isEqualTo("up-chat");
      assertThat(attr(root, "gen_ai.provider.name")).isEqualTo("openai");
      assertThat(Long.parseLong(attr(root, "gen_ai.usage.input_tokens"))).isPositive();
      assertThat(Long.parseLong(attr(root, "gen_ai.usage.output_tokens"))).isPositive();
      assertThat(attr(root, "http.response.status_code")).isEqualTo("200");
      assertThat(attr(root, "portcullis.request_id")).isEqualTo(res.headers().firstValue("x-request-id").orElseThrow());
      for (String child : List.of("auth", "limits", "chat up-chat", "stream")) {
        Span s = byName.get(child);
        assertThat(s.getParentSpanId()).as(child).isEqualTo(root.getSpanId());
        assertThat(s.getStartTimeUnixNano()).as(child).isGreaterThanOrEqualTo(root.getStartTimeUnixNano());
        assertThat(s.getEndTimeUnixNano()).as(child).isLessThanOrEqualTo(root.getEndTimeUnixNano())
            .isGreaterThanOrEqualTo(s.getStartTimeUnixNano());
      }
      Span upstream = byName.get("chat up-chat");
      assertThat(upstream.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
      assertThat(attr(upstream, "gen_ai.request.model")).isEqualTo("up-chat");
      assertThat(attr(upstream, "http.response.status_code")).isEqualTo("200");
      // the stages come in the pipeline's order
      assertThat(byName.get("auth").getEndTimeUnixNano()).isLessThanOrEqualTo(byName.get("limits").getStartTimeUnixNano());
      assertThat(byName.get("limits").getEndTimeUnixNano()).isLessThanOrEqualTo(upstream.getStartTimeUnixNano());
      // the provider was told the upstream span's context, in the client's trace
      String sent = f.mock.last().headers().get("traceparent");
      assertThat(sent).isEqualTo("00-" + traceId + "-" + hex(upstream.getSpanId()) + "-01");
      assertThat(services).contains("gw-test");

      // without a parent and at sampling 0, nothing is recorded, and upstream hears "not sampled"
      spans.clear();
      f.post("/v1/chat/completions", chat("chat", false, "/echo hi"));
      String unsampled = f.mock.last().headers().get("traceparent");
      // the sampled bit off (flags 02: a random trace id)
      assertThat(unsampled).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]");
      Thread.sleep(2500);
      assertThat(spans).isEmpty();
    }
  }

  @Test
  void noTextInSpansUnlessAskedAndThenRedacted() throws Exception {
    String secret = "sk-proj-" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2rS5uV8";
    String prompt = "/echo the zebra crossing code is " + secret;
    try (GatewayFixture f = new GatewayFixture(config("sampling: 1.0"))) {
      f.post("/v1/chat/completions", chat("chat", false, prompt));
      f.post("/v1/chat/completions", chat("chat", true, prompt));
      Thread.sleep(100);
      List<Span> all = awaitSpans(9);
      String everything = all.toString();
      assertThat(everything).doesNotContain("zebra").doesNotContain(secret).doesNotContain(secret.substring(8, 20));
    }
    spans.clear();
    try (GatewayFixture f = new GatewayFixture(config("sampling: 1.0, capture_content: true"))) {
      f.post("/v1/chat/completions", chat("chat", false, prompt));
      List<Span> all = awaitSpans(4);
      Span root = all.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
      String input = attr(root, "gen_ai.input.messages");
      assertThat(input).contains("zebra crossing").doesNotContain(secret).doesNotContain(secret.substring(8, 20));
      String output = Optional.ofNullable(attr(root, "gen_ai.output.messages")).orElse("");
      assertThat(output).contains("zebra").doesNotContain(secret.substring(8, 20));
    }
  }

  @Test
  void aCollectorThatFailsIsSaidInTheGatewaysOwnRedactedLog() throws Exception {
    // the SDK's exporter logs with java.util.logging: that must reach logback (and its redaction),
    // not stderr directly; the export header's secret never shows
    String canary = "trace-vendor-key-" + "Zq8Wn3Lp0Rt6";
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    Runnable restore = LogCanaryTest.capture(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try (GatewayFixture f = new GatewayFixture(config("sampling: 1.0, headers: {authorization: \"Bearer " + canary + "\"}")
        .replace(String.valueOf(receiver.getAddress().getPort()), String.valueOf(GatewayFixture.freePort())))) {
      f.post("/v1/chat/completions", chat("chat", false, "/echo hi"));
      // the exporter retries with back-off before it gives up and says so
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains(" i.o.e") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } finally {
      restore.run();
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).as(log).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR) +i\\.o\\.e.*[Ee]xport");
    assertThat(log).doesNotContain(canary);
  }

  List<Span> awaitSpans(int count) throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (spans.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return List.copyOf(spans);
  }
}
