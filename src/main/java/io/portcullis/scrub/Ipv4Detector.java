package io.portcullis.scrub;

/** IPv4 addresses: four dot-separated decimal octets, each at most 255, not inside a longer dotted run. */
final class Ipv4Detector extends OneRuleDetector {

  static final String RULE = "ipv4";
  /** The longest address, plus an ellipsis after it. */
  private static final int MAX = 15 + 3;


  Ipv4Detector(int priority) {
    super(RULE, priority);
  }

  @Override
  String triggers() {
    return "0123456789";
  }

  @Override
  Start start(char trigger) {
    return Start.NOT_AFTER_ALNUM;
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(c -> Chars.digit((char) c) || c == '.');
  }

  @Override
  String followers(char trigger) {
    return "0123456789.";
  }

  /**
   * A run of two characters holds no address and cannot become one; and when {@code at} finds
   * nothing in a run, no later start inside it can either (each follows a digit or a dot).
   */
  @Override
  String thirdChars(char trigger, char second) {
    return "0123456789.";
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    if (scan.charBefore(i) == '.') {
      return i + 1; // inside a longer dotted run
    }
    int j = i;
    int dots = 0;
    for (char c; j < n && j - i <= MAX && (Chars.digit(c = t.charAt(j)) || c == '.'); j++) {
      dots += c == '.' ? 1 : 0;
    }
    if (j - i > MAX) {
      while (j < n && (Chars.digit(t.charAt(j)) || t.charAt(j) == '.')) {
        j++;
      }
      return j + 1;
    }
    if (j == n && !scan.complete) {
      scan.live(i, RULE, this);
      return n;
    }
    int end = j;
    while (end > i && t.charAt(end - 1) == '.') {
      end--; // the full stop of a sentence, or an ellipsis
      dots--;
    }
    if (dots == 3 && (j >= n || !Chars.alnum(t.charAt(j))) && octets(t, i, end)) {
      scan.found(i, end, RULE, priority);
    }
    return j + 1;
  }

  /** Whether the whole string is a dotted-quad IPv4 address. */
  static boolean isAddress(String s) {
    return !s.isEmpty() && octets(s, 0, s.length());
  }

  private static boolean octets(CharSequence t, int from, int to) {
    int groups = 0;
    int k = from;
    while (k <= to) {
      int start = k;
      int value = 0;
      while (k < to && Chars.digit(t.charAt(k))) {
        value = value * 10 + (t.charAt(k) - '0');
        k++;
      }
      int len = k - start;
      if (len == 0 || len > 3 || value > 255 || (len > 1 && t.charAt(start) == '0')) {
        return false;
      }
      groups++;
      if (k == to) {
        break;
      }
      k++; // the dot
    }
    return groups == 4;
  }
}
