package io.portcullis.forward;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds upstream URLs from a base URL, an endpoint path and fixed query parameters. */
final class UpstreamUrls {

  private UpstreamUrls() {}

  static String build(String baseUrl, String path, String upstreamModel, Map<String, String> query) {
    String base = baseUrl.replace("{model}", URLEncoder.encode(upstreamModel, StandardCharsets.UTF_8));
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    StringBuilder url = new StringBuilder(base).append(path);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      url.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return url.toString();
  }
}
