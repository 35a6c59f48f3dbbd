package io.portcullis.admin;

import io.portcullis.config.AdminConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Admin tokens: {@code pca-} and 43 random URL-safe characters (256 bits), kept in the config only
 * as their SHA-256. A presented token is hashed and compared with every configured hash in
 * constant time (which token it is, if any, is not told by timing).
 */
public final class AdminTokens {

  static final String PREFIX = "pca-";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

  private AdminTokens() {}

  /** A new token (printed once by {@code portcullis admin-token}). */
  public static String generate() {
    StringBuilder b = new StringBuilder(PREFIX);
    for (int i = 0; i < 43; i++) {
      b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return b.toString();
  }

  public static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The configured token {@code presented} is, or null. */
  static AdminConfig.Token verify(String presented, List<AdminConfig.Token> tokens) {
    if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 200) {
      return null;
    }
    byte[] hash = sha256(presented).getBytes(StandardCharsets.US_ASCII);
    AdminConfig.Token found = null;
    for (AdminConfig.Token t : tokens) { // every hash compared: the time does not say which matched
      if (MessageDigest.isEqual(hash, t.sha256().getBytes(StandardCharsets.US_ASCII))) {
        found = t;
      }
    }
    return found;
  }
}
