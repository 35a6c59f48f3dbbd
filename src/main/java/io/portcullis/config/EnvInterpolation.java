package io.portcullis.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in config string values with the
 * environment's value. It works on parsed scalar values, never on the raw file, so a secret that
 * happens to contain YAML syntax cannot change the file's structure.
 *
 * <p>Anything that looks like a reference but is not a well-formed one ({@code $NAME},
 * {@code ${NAME:default}}, an unclosed {@code ${NAME}) is an error, never a literal value: a
 * mistyped reference to a provider key would otherwise send the reference itself upstream as the
 * key. {@code $$} is a literal {@code $}; a {@code $} before anything but a letter, {@code _} or
 * {@code {} (the end of a pattern, a price) stays as it is. As in a shell, {@code :-} also applies
 * when the variable is set but empty; a plain reference to an empty variable is an error.
 */
final class EnvInterpolation {

  private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern BARE = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");

  private final Map<String, String> env;

  EnvInterpolation(Map<String, String> env) {
    this.env = env;
  }

  /** The interpolated text, or null after reporting each problem of its references. */
  String apply(String text, Consumer<String> problem) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean failed = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$' || i + 1 == text.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = text.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      if (next == '{') {
        Matcher m = REF.matcher(text).region(i, text.length());
        if (!m.lookingAt()) {
          int close = text.indexOf('}', i);
          String shown = close < 0 ? text.substring(i) : text.substring(i, close + 1);
          problem.accept("malformed reference '" + shown + "': write ${NAME} or ${NAME:-default} ($$ for a literal $)");
          return null;
        }
        String value = env.get(m.group(1));
        if (value == null || value.isEmpty()) {
          if (m.group(2) != null) {
            value = m.group(3);
          } else {
            problem.accept("environment variable " + m.group(1) + (value == null ? " is not set" : " is empty"));
            failed = true;
            value = "";
          }
        }
        out.append(value);
        i = m.end();
        continue;
      }
      Matcher bare = BARE.matcher(text).region(i, text.length());
      if (bare.lookingAt()) {
        problem.accept("'$" + bare.group(1) + "' is not a reference: write ${" + bare.group(1) + "} ($$ for a literal $)");
        return null;
      }
      out.append(c);
      i++;
    }
    return failed ? null : out.toString();
  }
}
