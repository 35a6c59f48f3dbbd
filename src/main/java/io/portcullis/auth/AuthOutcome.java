package io.portcullis.auth;

import io.portcullis.ingress.Principal;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.GatewayError;

/** The result of checking a credential: a principal, or the error to answer with (never both). */
public record AuthOutcome(Principal principal, GatewayError error) {

  static AuthOutcome ok(Principal principal) {
    return new AuthOutcome(principal, null);
  }

  /** 401 with a message that names what was wrong and nothing of the credential. */
  static AuthOutcome refused(String code, String message) {
    return new AuthOutcome(null, GatewayError.of(ErrorKind.AUTHENTICATION, code, message));
  }

  static AuthOutcome unavailable(String message) {
    return new AuthOutcome(null, GatewayError.of(ErrorKind.UNAVAILABLE, "auth_store_unavailable", message));
  }
}
