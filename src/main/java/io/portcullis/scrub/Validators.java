package io.portcullis.scrub;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

/** Checks that turn a pattern-shaped string into a finding. */
final class Validators {

  private Validators() {}

  /** Documentation keys (AWS's {@code AKIAIOSFODNN7EXAMPLE} and the like) are not secrets. */
  static boolean notExample(CharSequence s) {
    return !s.toString().contains("EXAMPLE");
  }

  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /**
   * GitHub's token formats ({@code ghp_} and kin) end in a checksum: the last 6 characters are the
   * CRC32 of the 30 random characters before them, in base62. A string of the right shape with a
   * wrong checksum (documentation examples, made-up strings) is not a token.
   */
  static boolean githubChecksum(CharSequence token) {
    if (token.length() != 40) {
      return false;
    }
    CRC32 crc = new CRC32();
    crc.update(token.subSequence(4, 34).toString().getBytes(StandardCharsets.US_ASCII));
    long value = 0;
    for (int k = 34; k < 40; k++) {
      int digit = BASE62.indexOf(token.charAt(k));
      if (digit < 0) {
        return false;
      }
      value = value * 62 + digit;
    }
    return value == crc.getValue();
  }

  /** The base62 checksum GitHub appends to 30 random characters (for tests and fixtures). */
  static String githubChecksumOf(String random) {
    CRC32 crc = new CRC32();
    crc.update(random.getBytes(StandardCharsets.US_ASCII));
    long v = crc.getValue();
    char[] out = new char[6];
    for (int k = 5; k >= 0; k--) {
      out[k] = BASE62.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
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
