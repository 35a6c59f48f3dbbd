package io.portcullis.scrub;

/** IPv4 addresses: four dot-separated decimal octets, each at most 255, not inside a longer dotted run. */
final class Ipv4Detector extends OneRuleDetector {

  static final String RULE = "ipv4";
  private static final int MAX = 15;


  Ipv4Detector(int priority) {
    super(RULE, priority);
  }

  @Override
  public int maxCandidateLength() {
    return MAX + 2;
  }

  @Override
  public Continuation continuation() {
    return Continuation.whileChars(c -> Chars.digit((char) c) || c == '.');
  }

  @Override
  public void scan(Scan scan) {
    CharSequence t = scan.text;
    int n = t.length();
    for (int i = 0; i < n; i++) {
      char b = scan.charBefore(i);
      if (!Chars.digit(t.charAt(i)) || Chars.alnum(b) || b == '.') {
        continue;
      }
      int j = i;
      while (j < n && j - i <= MAX && (Chars.digit(t.charAt(j)) || t.charAt(j) == '.')) {
        j++;
      }
      if (j - i > MAX) {
        while (j < n && (Chars.digit(t.charAt(j)) || t.charAt(j) == '.')) {
          j++;
        }
        i = j;
        continue;
      }
      if (j == n && !scan.complete) {
        scan.live(i, RULE, this);
        return;
      }
      int end = j;
      if (end > i && t.charAt(end - 1) == '.') {
        end--; // the full stop of a sentence
      }
      if ((j < n && Chars.alnum(t.charAt(j))) || !octets(t, i, end)) {
        i = j;
        continue;
      }
      scan.found(i, end, RULE, priority);
      i = j;
    }
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
