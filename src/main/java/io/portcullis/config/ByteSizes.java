package io.portcullis.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes written as {@code 1048576}, {@code 512KiB}, {@code 1MiB}, {@code 10MB}, {@code 1GiB}. */
final class ByteSizes {

  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");

  private ByteSizes() {}

  /** The size in bytes, or -1 when the text is not a size. */
  static long parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long factor = switch (unit) {
      case "KB" -> 1_000L;
      case "KiB" -> 1L << 10;
      case "MB" -> 1_000_000L;
      case "MiB" -> 1L << 20;
      case "GB" -> 1_000_000_000L;
      case "GiB" -> 1L << 30;
      default -> 1L;
    };
    return n * factor;
  }
}
