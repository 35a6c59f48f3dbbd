package io.portcullis.auth;

import io.portcullis.config.AuthConfig;
import io.portcullis.ingress.Slot;

/**
 * The authentication state one config snapshot carries: the compiled role policy and the key file
 * as it was read with that config.
 *
 * @param keyFile the key file store, or null when none is configured
 */
public record Auth(AccessPolicy policy, FileKeyStore keyFile) {

  /** Where a snapshot keeps it. */
  public static final Slot<Auth> SLOT = Slot.named("auth");

  public static Auth of(AuthConfig config) {
    return new Auth(new AccessPolicy(config),
        config.keyFile() == null ? null : new FileKeyStore(config.keyFile(), config.fileKeys(), config.fileBlocked()));
  }
}
