package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code server.proxy_protocol}: the PROXY header's address is the client; a connection without one is refused. */
class ProxyProtocolTest {

  static final String CONFIG = """
      server:
        host: 127.0.0.1
        port: 0
        instances: 1
        proxy_protocol: true
        connections: {max_per_client: 2}
      admin: {enabled: false}
      auth:
        enabled: true
        jwt: {secret: "a-secret-of-at-least-thirty-two-characters"}
        brute_force: {max_failures: 3, window: 1m, cooldown: 1m}
        roles: [{name: chat, models: ["*"]}]
      providers:
        - {name: mock, base_url: "${MOCK_URL}"}
      models:
        - {name: chat, targets: [{provider: mock, model: m}]}
      """;

  static Socket open(GatewayFixture f, String client) throws Exception {
    Socket s = new Socket("127.0.0.1", f.gateway.port());
    s.setSoTimeout(5000);
    if (client != null) {
      s.getOutputStream().write(("PROXY TCP4 " + client + " 127.0.0.1 40000 443\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    return s;
  }

  static int status(GatewayFixture f, String client, String token) throws Exception {
    try (Socket s = open(f, client)) {
      String body = chat("chat", false, "hi");
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\nconnection: close\r\nauthorization: Bearer " + token
          + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.US_ASCII));
      String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return reply.startsWith("HTTP/1.1 ") ? Integer.parseInt(reply.substring(9, 12)) : -1;
    }
  }

  @Test
  void theAddressInThePROXYHeaderIsTheClient() throws Exception {
    try (GatewayFixture f = new GatewayFixture(CONFIG)) {
      for (int i = 0; i < 3; i++) {
        assertThat(status(f, "198.51.100.9", "not-a-token")).isEqualTo(401);
      }
      // the fourth failure of 198.51.100.9 is refused as such; 198.51.100.10, on the same TCP peer, is not
      assertThat(status(f, "198.51.100.9", "not-a-token")).isEqualTo(429);
      assertThat(status(f, "198.51.100.10", "not-a-token")).isEqualTo(401);
      // a connection that does not start with a PROXY header gets nothing
      assertThat(status(f, null, "not-a-token")).isEqualTo(-1);
      // the per-client connection cap counts the PROXY address: two held open from one client, the third refused
      try (Socket a = open(f, "198.51.100.20"); Socket b = open(f, "198.51.100.20")) {
        a.getOutputStream().write("GET /v1/models HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        b.getOutputStream().write("GET /v1/models HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(300);
        assertThat(status(f, "198.51.100.20", "not-a-token")).isEqualTo(-1);
        assertThat(status(f, "198.51.100.21", "not-a-token")).isEqualTo(401);
      }
    }
  }
}
