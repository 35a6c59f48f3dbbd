package io.portcullis.config;

import java.util.regex.Pattern;

/** Model-name patterns in config: {@code *} any run of characters, {@code ?} one; the rest literal. */
public final class Glob {

  private Glob() {}

  public static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
