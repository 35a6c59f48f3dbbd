package io.portcullis.scrub;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Checks that turn a pattern-shaped string into a finding. */
final class Validators {

  private Validators() {}

  /** Documentation keys (AWS's {@code AKIAIOSFODNN7EXAMPLE} and the like) are not secrets. */
  static boolean notExample(CharSequence s) {
    return !s.toString().contains("EXAMPLE");
  }

  /** A JWT: three base64url segments whose header decodes to a JSON object naming its "alg". */
  static boolean jwt(CharSequence s) {
    String token = s.toString();
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0 || second == first + 1) {
      return false;
    }
    try {
      String header = new String(Base64.getUrlDecoder().decode(token.substring(0, first)), StandardCharsets.UTF_8);
      return header.startsWith("{") && header.contains("\"alg\"");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
