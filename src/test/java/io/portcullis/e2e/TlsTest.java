package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPS end to end with certificates made at test time (keytool): HTTP/1.1 and HTTP/2 over TLS,
 * streaming over TLS, TLS 1.1 refused, mutual TLS accepted and refused, a renewed certificate
 * served after a reload, and upstream TLS verified (refused without trust, accepted with the
 * configured trust file).
 */
class TlsTest {

  static Path dir;
  static final String PASSWORD = "test-store-pass";

  @BeforeAll
  static void certificates() throws Exception {
    dir = Files.createTempDirectory("tls");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=first",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", dir.resolve("server.p12").toString(),
        "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=renewed",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", dir.resolve("renewed.p12").toString(),
        "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", dir.resolve("server.p12").toString(), "-storepass", PASSWORD,
        "-file", dir.resolve("server.pem").toString());
    keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=client", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", dir.resolve("client.p12").toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", dir.resolve("client.p12").toString(), "-storepass", PASSWORD,
        "-file", dir.resolve("client.pem").toString());
    Files.copy(dir.resolve("server.p12"), dir.resolve("first.p12"));
  }

  static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  static String config(String tls) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 1, tls: TLS}
        admin: {enabled: false}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
        """.replace("TLS", tls);
  }

  static final String SERVER_TLS = "{enabled: true, pkcs12: \"" + "DIR/server.p12\", password: \"" + PASSWORD + "\"}";

  static SSLContext context(boolean withClientCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    var cf = java.security.cert.CertificateFactory.getInstance("X.509");
    try (InputStream in = Files.newInputStream(dir.resolve("server.pem"))) {
      trust.setCertificateEntry("server", cf.generateCertificate(in));
    }
    KeyStore renewed = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("renewed.p12"))) {
      renewed.load(in, PASSWORD.toCharArray());
    }
    trust.setCertificateEntry("renewed", renewed.getCertificate("server"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withClientCert) {
      KeyStore client = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
        client.load(in, PASSWORD.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(client, PASSWORD.toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  static HttpClient client(HttpClient.Version version, boolean clientCert) throws Exception {
    return HttpClient.newBuilder().version(version).sslContext(context(clientCert)).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> post(HttpClient c, GatewayFixture f, String body) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + f.gateway.port() + "/v1/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(20))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void http1AndHttp2OverTlsStreamingIncludedAndARenewedCertificateServedWithoutARestart() throws Exception {
    Files.copy(dir.resolve("first.p12"), dir.resolve("server.p12"), StandardCopyOption.REPLACE_EXISTING);
    try (GatewayFixture f = new GatewayFixture(config(SERVER_TLS.replace("DIR", dir.toString())))) {
      HttpResponse<String> h1 = post(client(HttpClient.Version.HTTP_1_1, false), f, chat("chat", false, "hi"));
      assertThat(h1.statusCode()).isEqualTo(200);
      assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(h1.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000; includeSubDomains");
      assertThat(h1.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
      HttpResponse<String> h2 = post(client(HttpClient.Version.HTTP_2, false), f, chat("chat", false, "hi"));
      assertThat(h2.statusCode()).isEqualTo(200);
      assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2); // negotiated by ALPN
      HttpResponse<String> stream = post(client(HttpClient.Version.HTTP_2, false), f, chat("chat", true, "hi"));
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.body()).contains("data: [DONE]");
      assertThat(subject(h1)).contains("CN=first");
      // a renewed certificate in the same file, the config untouched: the file is watched, the
      // gateway reloads by itself and serves the new certificate, no restart
      Files.copy(dir.resolve("renewed.p12"), dir.resolve("server.p12"), StandardCopyOption.REPLACE_EXISTING);
      long deadline = System.nanoTime() + 10_000_000_000L;
      String seen;
      do {
        seen = subject(post(client(HttpClient.Version.HTTP_1_1, false), f, chat("chat", false, "hi")));
      } while (!seen.contains("CN=renewed") && System.nanoTime() < deadline);
      assertThat(seen).contains("CN=renewed");
    } finally {
      Files.copy(dir.resolve("first.p12"), dir.resolve("server.p12"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String subject(HttpResponse<String> r) throws Exception {
    return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  @Test
  void tls11IsRefusedAndTls12Accepted() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config(SERVER_TLS.replace("DIR", dir.toString())))) {
      // openssl can still offer TLS 1.1 (at security level 0); the JDK client cannot even try
      String old = openssl(f, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
      // the server answers the TLS 1.1 hello with a protocol_version alert: no cipher, no session
      assertThat(old).contains("alert protocol version").contains("Cipher is (NONE)").doesNotContain("TLSv1.1, Cipher is");
      String modern = openssl(f, "-tls1_2");
      assertThat(modern).containsAnyOf("TLSv1.2, Cipher is ECDHE", "Protocol  : TLSv1.2");
    }
  }

  static String openssl(GatewayFixture f, String... options) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + f.gateway.port(),
        "-servername", "localhost"));
    command.addAll(List.of(options));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void mutualTlsAcceptsTheTrustedClientAndRefusesOthers() throws Exception {
    String tls = SERVER_TLS.replace("}", ", client_auth: required, client_ca: \"DIR/client.pem\"}").replace("DIR", dir.toString());
    try (GatewayFixture f = new GatewayFixture(config(tls))) {
      assertThat(post(client(HttpClient.Version.HTTP_1_1, true), f, chat("chat", false, "hi")).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> post(client(HttpClient.Version.HTTP_1_1, false), f, chat("chat", false, "hi")))
          .isInstanceOf(java.io.IOException.class);
      assertThat(f.mock.seen()).hasSize(1);
    }
  }

  @Test
  void upstreamTlsIsVerifiedAndAPrivateCaCanBeTrusted() throws Exception {
    // gateway A serves HTTPS with the test certificate; B and C use A as their (OpenAI-compatible) provider
    try (GatewayFixture a = new GatewayFixture(config(SERVER_TLS.replace("DIR", dir.toString())))) {
      String viaA = """
          server: {host: 127.0.0.1, port: 0, instances: 1}
          admin: {enabled: false}
          UPSTREAM
          providers:
            - {name: a, base_url: "https://127.0.0.1:PORT/v1"}
          models:
            - {name: chat, targets: [{provider: a, model: chat}]}
          """.replace("PORT", String.valueOf(a.gateway.port()));
      try (GatewayFixture b = new GatewayFixture(viaA.replace("UPSTREAM", ""))) {
        HttpResponse<String> refused = b.post("/v1/chat/completions", chat("chat", false, "hi"));
        ApiTest.assertError(refused, 502, "upstream_unreachable");
      }
      try (GatewayFixture c = new GatewayFixture(viaA.replace("UPSTREAM", "upstream: {trust: \"" + dir.resolve("server.pem") + "\"}"))) {
        assertThat(c.post("/v1/chat/completions", chat("chat", false, "hi")).statusCode()).isEqualTo(200);
      }
      assertThat(a.mock.seen()).hasSize(1);
    }
  }
}
