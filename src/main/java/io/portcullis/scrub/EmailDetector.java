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
  String triggers() {
    return "@";
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(c -> local((char) c) || c == '@');
  }

  static boolean local(char c) {
    return Chars.alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  static boolean domain(char c) {
    return Chars.alnum(c) || c == '.' || c == '-';
  }

  @Override
  int at(Scan scan, int i, int from) {
    int start = localStart(scan.text, i, from);
    if (start == i) {
      return i + 1;
    }
    int end = domainEnd(scan, i + 1);
    if (end == -2) {
      scan.live(start, RULE, this);
    } else if (end > 0) {
      scan.found(start, end, RULE, priority);
      return end;
    }
    return i + 1;
  }

  /** A run of local-part characters at the end of the text is live: an '@' may follow. */
  @Override
  void atEnd(Scan scan, int from) {
    int n = scan.text.length();
    int start = localStart(scan.text, n, from);
    if (start < n) {
      scan.live(start, RULE, this);
    }
  }

  /**
   * Where the local part ending before {@code i} starts: at most {@value #MAX_LOCAL} characters
   * back, and not before {@code from} (the end of this detector's last finding).
   */
  private static int localStart(CharSequence t, int i, int from) {
    int k = i;
    while (k > from && i - k < MAX_LOCAL && local(t.charAt(k - 1))) {
      k--;
    }
    return k;
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
    if (lastDot < 0) {
      return -1;
    }
    for (int k = lastDot + 1; k < j; k++) {
      char c = t.charAt(k);
      if (c == '-') {
        j = k; // "a@b.dev-based": the sentence's word joined on; the address ends at its last valid point
        break;
      }
      if (!Character.isLetter(c)) {
        return -1;
      }
    }
    return j - lastDot - 1 < 2 ? -1 : j;
  }
}
