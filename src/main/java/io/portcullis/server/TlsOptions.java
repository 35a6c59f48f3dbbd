package io.portcullis.server;

import io.portcullis.config.Secret;
import io.portcullis.config.TlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * TLS settings from config: the client-facing server (TLS 1.2 and 1.3 only, AEAD suites with
 * forward secrecy, HTTP/2 by ALPN, optional client certificates) and the CAs the upstream client
 * trusts besides the JVM's. Vert.x reads the files when the options are applied, so applying them
 * again on a reload serves a renewed certificate.
 */
final class TlsOptions {

  private TlsOptions() {}

  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /** TLS 1.3's suites, then TLS 1.2's with ECDHE and an AEAD cipher (no CBC, no RSA key exchange). */
  static final List<String> CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** Applies TLS to the server's options when it is enabled. */
  static void server(HttpServerOptions options, TlsConfig tls) {
    if (!tls.enabled()) {
      return;
    }
    options.setSsl(true).setUseAlpn(true).setEnabledSecureTransportProtocols(PROTOCOLS).setKeyCertOptions(keyCert(tls))
        .setClientAuth(clientAuth(tls));
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    if (tls.clientCaFile() != null) {
      options.setTrustOptions(trust(tls.clientCaFile(), tls.clientCaPassword()));
    }
  }

  /** The same settings for {@code HttpServer.updateSSLOptions} (a reload). */
  static ServerSSLOptions reload(TlsConfig tls) {
    ServerSSLOptions o = new ServerSSLOptions().setUseAlpn(true).setEnabledSecureTransportProtocols(PROTOCOLS)
        .setKeyCertOptions(keyCert(tls)).setClientAuth(clientAuth(tls));
    CIPHER_SUITES.forEach(o::addEnabledCipherSuite);
    if (tls.clientCaFile() != null) {
      o.setTrustOptions(trust(tls.clientCaFile(), tls.clientCaPassword()));
    }
    return o;
  }

  /** The upstream client: providers' certificates and host names are verified; a trust file adds CAs. */
  static void upstream(HttpClientOptions options, Path trustFile, Secret password) {
    options.setVerifyHost(true).setTrustAll(false);
    if (trustFile != null) {
      options.setTrustOptions(trust(trustFile, password));
    }
  }

  private static ClientAuth clientAuth(TlsConfig tls) {
    return switch (tls.clientAuth()) {
      case "request" -> ClientAuth.REQUEST;
      case "required" -> ClientAuth.REQUIRED;
      default -> ClientAuth.NONE;
    };
  }

  private static KeyCertOptions keyCert(TlsConfig tls) {
    if (tls.pkcs12File() != null) {
      return new PfxOptions().setPath(tls.pkcs12File().toString())
          .setPassword(tls.pkcs12Password() == null ? null : tls.pkcs12Password().value());
    }
    return new PemKeyCertOptions().setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString());
  }

  private static TrustOptions trust(Path file, Secret password) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".p12") || name.endsWith(".pfx")) {
      return new PfxOptions().setPath(file.toString()).setPassword(password == null ? null : password.value());
    }
    return new PemTrustOptions().addCertPath(file.toString());
  }
}
