package io.portcullis.scrub;

/**
 * IPv6 addresses: eight groups of one to four hex digits, or fewer around a single {@code ::},
 * optionally ending in a dotted IPv4 address; at least two groups, and not inside a longer run of
 * letters or digits.
 */
final class Ipv6Detector extends OneRuleDetector {

  static final String RULE = "ipv6";
  private static final int MAX = 45;

  Ipv6Detector(int priority) {
    super(RULE, priority);
  }

  @Override
  String triggers() {
    return "0123456789abcdefABCDEF:";
  }

  @Override
  Start start(char trigger) {
    return Start.NOT_AFTER_ALNUM;
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(c -> hex((char) c) || c == ':' || c == '.');
  }

  private static boolean runChar(char c) {
    return hex(c) || c == ':' || c == '.';
  }

  private static boolean hex(char c) {
    return Chars.digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** One hex digit alone is no address, nor is one colon. */
  @Override
  String followers(char trigger) {
    return trigger == ':' ? ":" : "0123456789abcdefABCDEF:.";
  }

  /**
   * Two hex digits alone have no colon; and when {@code at} finds nothing in a run, no later start
   * inside it can either (each follows a hex digit, or a colon or dot that follows one).
   */
  @Override
  String thirdChars(char trigger, char second) {
    return "0123456789abcdefABCDEF:.";
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    if (t.charAt(i) == ':' && i + 1 < n && t.charAt(i + 1) != ':') {
      return i + 1; // one colon starts no address (": fe80::1", "IP:2001:db8::1")
    }
    char b = scan.charBefore(i);
    if ((b == ':' || b == '.') && runChar(scan.charBefore2(i))) {
      return i + 1; // inside a longer run (but "IP:2001:db8::1" starts after the colon)
    }
    int j = i;
    int colons = 0;
    for (char c; j < n && j - i <= MAX && (hex(c = t.charAt(j)) || c == ':' || c == '.'); j++) {
      colons += c == ':' ? 1 : 0;
    }
    if (j - i > MAX) {
      return j + 1;
    }
    if (j == n && !scan.complete) {
      scan.live(i, RULE, this); // hex digits and colons may still become an address
      return n;
    }
    int end = j;
    while (end > i && t.charAt(end - 1) == '.') {
      end--; // a full stop
    }
    if (end - i > 2 && t.charAt(end - 1) == ':' && t.charAt(end - 2) != ':') {
      end--; // a colon after the address ("listen on 2001:db8::1: it..."); "fe80::" keeps its two
      colons--;
    }
    // every address has at least two colons ("1::2"): most hex words and numbers stop here
    if (colons >= 2 && (j >= n || !Chars.alnum(t.charAt(j))) && valid(t.subSequence(i, end).toString())) {
      scan.found(i, end, RULE, priority);
    }
    return j + 1;
  }

  static boolean valid(String s) {
    int compress = s.indexOf("::");
    if (compress >= 0 && s.indexOf("::", compress + 1) >= 0) {
      return false;
    }
    if (s.contains(":::")) {
      return false;
    }
    String[] groups = s.split(":", -1);
    int count = 0;
    for (int k = 0; k < groups.length; k++) {
      String g = groups[k];
      if (g.isEmpty()) {
        continue; // part of "::" (checked above)
      }
      if (k == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!Ipv4Detector.isAddress(g)) {
          return false;
        }
        count += 2;
        continue;
      }
      if (g.length() > 4 || g.indexOf('.') >= 0) {
        return false;
      }
      count++;
    }
    if (compress < 0) {
      return count == 8 && !s.startsWith(":") && !s.endsWith(":");
    }
    // "::" stands for at least one zero group; a single ':' may not begin or end the address
    boolean badStart = s.startsWith(":") && !s.startsWith("::");
    boolean badEnd = s.endsWith(":") && !s.endsWith("::");
    return count >= 2 && count <= 7 && !badStart && !badEnd;
  }
}
