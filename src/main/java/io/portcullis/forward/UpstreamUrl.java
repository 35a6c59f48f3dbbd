package io.portcullis.forward;

import java.net.URI;

/** An upstream URL parsed once at config load, so no request parses a URL. */
record UpstreamUrl(String host, int port, boolean ssl, String pathAndQuery) {

  static UpstreamUrl parse(String url) {
    URI uri = URI.create(url);
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new UpstreamUrl(uri.getHost(), port, ssl, uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
  }
}
