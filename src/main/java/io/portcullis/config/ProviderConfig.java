package io.portcullis.config;

import java.util.List;
import java.util.Map;

/**
 * One upstream provider.
 *
 * @param baseUrl the API root, e.g. {@code https://api.openai.com/v1}; a {@code {model}} in it is
 *     replaced by the upstream model (Azure-style deployment URLs)
 * @param apiKeys keys used in turn, from {@code api_keys} (with ${ENV}) and {@code api_key_files}
 * @param authHeader where the key goes: {@code authorization} (as Bearer), or a header name such as
 *     {@code api-key} (Azure) or {@code x-api-key} (Anthropic)
 * @param headers extra headers sent upstream (e.g. {@code anthropic-version})
 * @param queryParams added to every upstream URL (e.g. Azure's {@code api-version})
 * @param servesResponses the provider serves {@code /responses} itself ({@code responses_api}); else
 *     the gateway's {@code /v1/responses} is translated to chat completions for it
 */
public record ProviderConfig(
    String name,
    ProviderType type,
    String baseUrl,
    List<Secret> apiKeys,
    String authHeader,
    Timeouts timeouts,
    Map<String, String> headers,
    Map<String, String> queryParams,
    boolean servesResponses) {

  public ProviderConfig {
    apiKeys = List.copyOf(apiKeys);
    headers = Map.copyOf(headers);
    queryParams = Map.copyOf(queryParams);
  }
}
