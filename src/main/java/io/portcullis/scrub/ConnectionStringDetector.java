package io.portcullis.scrub;

import java.util.function.IntPredicate;

/**
 * Passwords in URLs and connection strings ({@code postgres://app:s3cret@db:5432/x}): after
 * {@code ://}, a user name, a colon and a password ending at {@code @}. Only the password is
 * redacted, so the reader still sees which system it was for.
 */
final class ConnectionStringDetector extends OneRuleDetector {

  static final String RULE = "connection_string_password";
  private static final int MAX_USER = 128;
  private static final int MAX_PASSWORD = 256;


  ConnectionStringDetector(int priority) {
    super(RULE, priority);
  }

  /** Anchored on the ':' of "://". */
  @Override
  String triggers() {
    return ":";
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(c -> !Character.isWhitespace(c) && c != '@');
  }

  private static boolean userChar(char c) {
    return !Character.isWhitespace(c) && c != ':' && c != '/' && c != '@' && c != '"' && c != '\'';
  }

  private static boolean passwordChar(char c) {
    return !Character.isWhitespace(c) && c != '@' && c != '/' && c != '"' && c != '\'';
  }

  @Override
  String followers(char trigger) {
    return "/";
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    // the anchor "://", possibly cut by the end of the text
    if (i + 1 == n || (i + 2 == n && t.charAt(i + 1) == '/')) {
      scan.live(i, RULE, this);
      return n;
    }
    if (t.charAt(i + 1) != '/' || t.charAt(i + 2) != '/') {
      return i + 1;
    }
    int u = i + 3;
    int j = u;
    while (j < n && j - u <= MAX_USER && userChar(t.charAt(j))) {
      j++;
    }
    if (j == n && !scan.complete) {
      scan.live(i, RULE, this);
      return n;
    }
    if (j == u || j - u > MAX_USER || j >= n || t.charAt(j) != ':') {
      return i + 1;
    }
    int p = j + 1;
    int k = p;
    while (k < n && k - p <= MAX_PASSWORD && passwordChar(t.charAt(k))) {
      k++;
    }
    if (k == n && !scan.complete) {
      scan.live(i, RULE, this);
      return n;
    }
    if (k > p && k < n && t.charAt(k) == '@' && k - p <= MAX_PASSWORD) {
      scan.found(i, p, k, RULE, priority);
      return k + 1;
    }
    return i + 1;
  }
}
