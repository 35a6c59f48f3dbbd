package io.portcullis.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API keys look like {@code pc-<id>-<secret>}: a 12-character id to look the key up by, and a
 * 40-character secret (base62, about 238 bits). Only SHA-256 of {@code "<id>:<secret>"} is stored:
 * the secret is random and long, so a fast hash is enough (a slow one protects guessable
 * passwords, which these are not) and keeps verification cheap.
 */
public final class ApiKeyFormat {

  public static final String PREFIX = "pc-";
  static final int ID_LENGTH = 12;
  static final int SECRET_LENGTH = 40;
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyFormat() {}

  /** A key split into its id and secret; null when the text is not shaped like a key. */
  public record Parsed(String id, String secret) {}

  public static Parsed parse(String key) {
    if (key == null || !key.startsWith(PREFIX) || key.length() != PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH
        || key.charAt(PREFIX.length() + ID_LENGTH) != '-') {
      return null;
    }
    String id = key.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
    String secret = key.substring(PREFIX.length() + ID_LENGTH + 1);
    return base62(id) && base62(secret) ? new Parsed(id, secret) : null;
  }

  private static boolean base62(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (BASE62.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** A new random key: {@code [0]} the key to hand out once, {@code [1]} its id, {@code [2]} its hash. */
  public static String[] generate() {
    String id = random(ID_LENGTH);
    String secret = random(SECRET_LENGTH);
    return new String[] {PREFIX + id + "-" + secret, id, hash(id, secret)};
  }

  private static String random(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = BASE62.charAt(RANDOM.nextInt(BASE62.length()));
    }
    return new String(out);
  }

  public static String hash(String id, String secret) {
    return HexFormat.of().formatHex(sha256((id + ":" + secret).getBytes(StandardCharsets.UTF_8)));
  }

  /** Compares in time independent of where the two differ. */
  static boolean sameHash(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
