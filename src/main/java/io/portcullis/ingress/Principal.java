package io.portcullis.ingress;

import java.util.Set;

/**
 * The verified caller, travelling with the request.
 *
 * @param subject the user
 * @param team the team, or null
 * @param roles the caller's role names
 * @param credentialId the API key id or the token's {@code jti} (never the credential itself), or null
 * @param method how the caller proved who it is: {@code api_key}, {@code jwt} or {@code none} (auth off)
 */
public record Principal(String subject, String team, Set<String> roles, String credentialId, String method) {

  public Principal {
    roles = Set.copyOf(roles);
  }
}
