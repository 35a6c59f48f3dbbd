package io.portcullis.limit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The limiter's Lua scripts ({@code redis/*.lua}, shipped inside the jar) and their SHA-1 for
 * EVALSHA. Read once, when this class is first used: {@code Gateway} touches it at start, on the
 * starting thread, so no event loop ever reads the jar.
 */
public final class LimitScripts {

  public static final String SLIDING_WINDOW = read("redis/sliding_window.lua");
  public static final String SETTLE = read("redis/settle.lua");
  public static final String SLIDING_WINDOW_SHA = sha1(SLIDING_WINDOW);
  public static final String SETTLE_SHA = sha1(SETTLE);

  private LimitScripts() {}

  private static String read(String resource) {
    try (InputStream in = LimitScripts.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
