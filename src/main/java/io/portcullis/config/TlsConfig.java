package io.portcullis.config;

import java.nio.file.Path;

/**
 * HTTPS for the client-facing server. The key and certificate are read again on every config
 * reload, so a renewed certificate is served without a restart.
 *
 * @param enabled serve HTTPS (TLS 1.2 and 1.3 only; HTTP/2 by ALPN)
 * @param certFile PEM certificate chain, with {@code keyFile}; or null with {@code pkcs12File}
 * @param keyFile PEM private key
 * @param pkcs12File a PKCS#12 key store holding the key and chain, instead of the PEM pair
 * @param pkcs12Password its password (a secret: give it from the environment)
 * @param clientAuth {@code none}, {@code request} or {@code required} (mutual TLS)
 * @param clientCaFile the CAs client certificates must chain to (PEM or PKCS#12 by extension)
 * @param clientCaPassword the password of a PKCS#12 {@code clientCaFile}
 */
public record TlsConfig(boolean enabled, Path certFile, Path keyFile, Path pkcs12File, Secret pkcs12Password,
    String clientAuth, Path clientCaFile, Secret clientCaPassword) {

  public static TlsConfig off() {
    return new TlsConfig(false, null, null, null, null, "none", null, null);
  }

  /** Only whether TLS is on (what a restart is needed to change). */
  public TlsConfig withEnabled() {
    return new TlsConfig(true, null, null, null, null, "none", null, null);
  }
}
