package io.portcullis.scrub;

/**
 * Email addresses, anchored on '@': up to 64 local-part characters before it (as many as there
 * are, at most 64) and a dotted domain after it whose last label is at least two letters.
 * A run of local-part characters at the end of the text is live (an '@' may follow), but only its
 * last 64 characters, so ordinary text is never held for long.
 */
final class EmailDetector extends OneRuleDetector {

  static final String RULE = "email";
  private static final int MAX_LOCAL = 64;
  private static final int MAX_DOMAIN = 253;


  EmailDetector(int priority) {
    super(RULE, priority);
  }

  @Override
  public int maxCandidateLength() {
    return MAX_LOCAL + 1 + MAX_DOMAIN + 1;
  }

  @Override
  public Continuation continuation() {
    return Continuation.whileChars(c -> local((char) c) || c == '@');
  }

  static boolean local(char c) {
    return Chars.alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  static boolean domain(char c) {
    return Chars.alnum(c) || c == '.' || c == '-';
  }

  @Override
  public void scan(Scan scan) {
    CharSequence t = scan.text;
    int n = t.length();
    int localRun = 0; // length of the run of local-part characters ending before i
    for (int i = 0; i < n; i++) {
      char c = t.charAt(i);
      if (c == '@' && localRun > 0) {
        int start = i - Math.min(localRun, MAX_LOCAL);
        int end = domainEnd(scan, i + 1);
        if (end == -2) {
          scan.live(start, RULE, this);
          localRun = 0;
          continue;
        }
        if (end > 0) {
          scan.found(start, end, RULE, priority);
          i = end - 1;
          localRun = 0;
          continue;
        }
      }
      localRun = local(c) ? localRun + 1 : 0;
    }
    if (localRun > 0) {
      scan.live(n - Math.min(localRun, MAX_LOCAL), RULE, this);
    }
  }

  /** End of a valid domain starting at {@code from}; -1 if none; -2 if it may go on past the text. */
  private static int domainEnd(Scan scan, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    int j = from;
    while (j < n && j - from <= MAX_DOMAIN && domain(t.charAt(j))) {
      j++;
    }
    if (j - from > MAX_DOMAIN) {
      return -1;
    }
    if (j == n && !scan.complete) {
      return -2;
    }
    // a sentence may end right after the address: trailing dots and hyphens are not part of it
    while (j > from && (t.charAt(j - 1) == '.' || t.charAt(j - 1) == '-')) {
      j--;
    }
    int lastDot = -1;
    for (int k = from; k < j; k++) {
      if (t.charAt(k) == '.') {
        if (k == from || t.charAt(k - 1) == '.') {
          return -1; // empty label
        }
        lastDot = k;
      }
    }
    if (lastDot < 0 || j - lastDot - 1 < 2) {
      return -1;
    }
    for (int k = lastDot + 1; k < j; k++) {
      if (!Character.isLetter(t.charAt(k))) {
        return -1;
      }
    }
    return j;
  }
}
