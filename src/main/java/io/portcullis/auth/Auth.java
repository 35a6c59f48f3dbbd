package io.portcullis.auth;

import io.portcullis.config.AuthConfig;

/**
 * The authentication state one config snapshot carries: the compiled role policy and the key file
 * as it was read with that config.
 *
 * @param keyFile the key file store, or null when none is configured
 */
public record Auth(AccessPolicy policy, FileKeyStore keyFile) {

  public static Auth of(AuthConfig config) {
    return new Auth(new AccessPolicy(config),
        config.keyFile() == null ? null : new FileKeyStore(config.keyFile(), config.fileKeys()));
  }
}
