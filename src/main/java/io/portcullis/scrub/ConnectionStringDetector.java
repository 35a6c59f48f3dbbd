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

  @Override
  public int maxCandidateLength() {
    return 3 + MAX_USER + 1 + MAX_PASSWORD + 1;
  }

  @Override
  public Continuation continuation() {
    return Continuation.whileChars(c -> !Character.isWhitespace(c) && c != '@');
  }

  private static boolean userChar(char c) {
    return !Character.isWhitespace(c) && c != ':' && c != '/' && c != '@' && c != '"' && c != '\'';
  }

  private static boolean passwordChar(char c) {
    return !Character.isWhitespace(c) && c != '@' && c != '/' && c != '"' && c != '\'';
  }

  @Override
  public void scan(Scan scan) {
    CharSequence t = scan.text;
    int n = t.length();
    for (int i = 0; i < n; i++) {
      if (t.charAt(i) != ':') {
        continue;
      }
      // the anchor "://", possibly cut by the end of the text
      if (i + 1 == n || (i + 2 == n && t.charAt(i + 1) == '/')) {
        scan.live(i, RULE, this);
        return;
      }
      if (t.charAt(i + 1) != '/' || t.charAt(i + 2) != '/') {
        continue;
      }
      int u = i + 3;
      int j = u;
      while (j < n && j - u <= MAX_USER && userChar(t.charAt(j))) {
        j++;
      }
      if (j == n && !scan.complete) {
        scan.live(i, RULE, this);
        return;
      }
      if (j == u || j - u > MAX_USER || j >= n || t.charAt(j) != ':') {
        continue;
      }
      int p = j + 1;
      int k = p;
      while (k < n && k - p <= MAX_PASSWORD && passwordChar(t.charAt(k))) {
        k++;
      }
      if (k == n && !scan.complete) {
        scan.live(i, RULE, this);
        return;
      }
      if (k > p && k < n && t.charAt(k) == '@' && k - p <= MAX_PASSWORD) {
        scan.found(i, p, k, RULE, priority);
        i = k;
      }
    }
  }
}
