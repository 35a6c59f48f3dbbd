package io.portcullis.forward;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds upstream URLs from a base URL, an endpoint path and fixed query parameters. */
final class UpstreamUrls {

  private UpstreamUrls() {}

  /** A {@code {model}} in the base URL or in the path is the upstream model, URL-encoded. */
  static String build(String baseUrl, String path, String upstreamModel, Map<String, String> query) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    String model = URLEncoder.encode(upstreamModel, StandardCharsets.UTF_8);
    StringBuilder url = new StringBuilder((base + path).replace("{model}", model));
    char sep = url.indexOf("?") < 0 ? '?' : '&';
    for (Map.Entry<String, String> e : query.entrySet()) {
      url.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return url.toString();
  }
}
