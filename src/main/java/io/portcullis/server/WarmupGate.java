package io.portcullis.server;

import io.portcullis.ingress.Snapshot;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Which config a request is served by while the warm-up runs: the warm-up's own only for the
 * warm-up's requests (they carry a random token no one else knows), the real one for everyone else.
 * So a client that reaches the listener before the instance is ready is served as usual.
 */
final class WarmupGate {

  static final String HEADER = "x-portcullis-warmup";

  private record Pass(Snapshot snapshot, byte[] token) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private volatile Pass pass;

  /** The snapshot this request is served by. */
  Snapshot choose(HttpServerRequest req, Snapshot real) {
    Pass p = pass;
    if (p == null) {
      return real;
    }
    String token = req.getHeader(HEADER);
    return token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII), p.token()) ? p.snapshot() : real;
  }

  /** Serves the warm-up's snapshot to requests with the returned token, until {@link #close}. */
  String open(Snapshot warm) {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    pass = new Pass(warm, token.getBytes(StandardCharsets.US_ASCII));
    return token;
  }

  void close() {
    pass = null;
  }
}
