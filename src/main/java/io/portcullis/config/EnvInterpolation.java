package io.portcullis.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in config string values with the
 * environment's value. It works on parsed scalar values, never on the raw file, so a secret that
 * happens to contain YAML syntax cannot change the file's structure.
 */
final class EnvInterpolation {

  private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Map<String, String> env;

  EnvInterpolation(Map<String, String> env) {
    this.env = env;
  }

  /** The interpolated text, or null when a referenced variable is unset and has no default. */
  String apply(String text, Consumer<String> onMissing) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher m = REF.matcher(text);
    StringBuilder out = new StringBuilder();
    boolean missing = false;
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null) {
        value = m.group(2);
      }
      if (value == null) {
        onMissing.accept(m.group(1));
        missing = true;
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return missing ? null : out.toString();
  }
}
