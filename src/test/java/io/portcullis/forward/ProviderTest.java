package io.portcullis.forward;

import io.portcullis.format.WireFormat;
import io.portcullis.server.Configs;
import io.portcullis.ingress.Endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderTest {

  static RouteTable routes(String yaml) throws Exception {
    return RouteTable.from(Configs.loader(Map.of("AZ", "azure-secret")).parse(yaml, null));
  }

  @Test
  void buildsAzureStyleUrlsAndHeaders() throws Exception {
    Target t = routes("""
        providers:
          - name: azure
            base_url: https://res.openai.azure.com/openai/deployments/{model}
            auth_header: api-key
            api_keys: ["${AZ}"]
            query_params: {api-version: "2024-10-21"}
        models: [{name: gpt, targets: [{provider: azure, model: gpt4o-prod}]}]
        """).route("gpt").targets().get(0);
    assertThat(t.url(Endpoint.CHAT_COMPLETIONS)).isEqualTo(new UpstreamUrl("res.openai.azure.com", 443, true,
        "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"));
    // Anthropic's Messages API is served over chat completions (translated)
    assertThat(t.url(Endpoint.MESSAGES)).isEqualTo(t.url(Endpoint.CHAT_COMPLETIONS));
    MultiMap headers = HttpHeaders.headers();
    t.provider().putHeaders(WireFormat.OPENAI_CHAT, headers, HttpHeaders.headers().set("authorization", "Bearer client"));
    assertThat(headers.get("api-key")).isEqualTo("azure-secret");
    assertThat(headers.contains("authorization")).isFalse();
  }

  @Test
  void anthropicGetsItsKeyHeaderAndADefaultVersion() throws Exception {
    Target t = routes("""
        providers: [{name: a, type: anthropic, base_url: "http://127.0.0.1:9/v1", api_keys: [k1, k2]}]
        models: [{name: c, targets: [{provider: a, model: claude-x}]}]
        """).route("c").targets().get(0);
    assertThat(t.url(Endpoint.MESSAGES)).isEqualTo(new UpstreamUrl("127.0.0.1", 9, false, "/v1/messages"));
    MultiMap first = HttpHeaders.headers();
    MultiMap second = HttpHeaders.headers();
    t.provider().putHeaders(WireFormat.ANTHROPIC_MESSAGES, first, HttpHeaders.headers());
    t.provider().putHeaders(WireFormat.ANTHROPIC_MESSAGES, second, HttpHeaders.headers().set("anthropic-version", "2024-01-01"));
    assertThat(first.get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(second.get("anthropic-version")).isEqualTo("2024-01-01");
    assertThat(java.util.List.of(first.get("x-api-key"), second.get("x-api-key"))).containsExactly("k1", "k2");
  }

  @Test
  void aProviderWithoutKeysSendsNoCredential() throws Exception {
    Target t = routes("""
        providers: [{name: vllm, base_url: "http://10.0.0.5:8000/v1/"}]
        models: [{name: llama, targets: [{provider: vllm}]}]
        """).route("llama").targets().get(0);
    assertThat(t.url(Endpoint.EMBEDDINGS)).isEqualTo(new UpstreamUrl("10.0.0.5", 8000, false, "/v1/embeddings"));
    MultiMap headers = HttpHeaders.headers();
    t.provider().putHeaders(WireFormat.OPENAI_EMBEDDINGS, headers, HttpHeaders.headers());
    assertThat(headers.isEmpty()).isTrue();
  }
}
