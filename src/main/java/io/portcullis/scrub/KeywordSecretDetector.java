package io.portcullis.scrub;

import java.util.List;

/**
 * Secrets that carry no recognisable prefix but are introduced by a keyword:
 * {@code password = "Xk8#pq2!vL"}, {@code "client_secret": "..."}, {@code api_key: ...}. The value
 * (8 to 128 characters without spaces or quotes) must look random: its Shannon entropy must reach
 * {@value #MIN_BITS_PER_CHAR} bits per character and it must mix at least two of lower case, upper
 * case and digits, which leaves placeholders such as {@code changeme} or {@code YOUR_API_KEY} alone.
 * Only the value is redacted.
 */
final class KeywordSecretDetector extends OneRuleDetector {

  static final String RULE = "generic_secret";
  static final double MIN_BITS_PER_CHAR = 3.0;
  private static final int MIN_VALUE = 8;
  private static final int MAX_VALUE = 128;
  private static final int MAX_GAP = 8; // quotes, spaces and the separator between keyword and value
  private static final List<String> KEYWORDS = List.of("password", "passwd", "pwd", "secret", "api_key", "apikey",
      "api-key", "access_key", "access_token", "auth_token", "token", "private_key");
  /** The keywords by their first letter, in the order above. */
  private static final List<String>[] BY_FIRST_LETTER = byFirstLetter();

  @SuppressWarnings("unchecked")
  private static List<String>[] byFirstLetter() {
    List<String>[] table = new List[26];
    for (char c = 'a'; c <= 'z'; c++) {
      char first = c;
      table[c - 'a'] = KEYWORDS.stream().filter(k -> k.charAt(0) == first).toList();
    }
    return table;
  }


  KeywordSecretDetector(int priority) {
    super(RULE, priority);
  }

  /** Every keyword starts with p, s, a or t. */
  @Override
  String triggers() {
    return "psatPSAT";
  }

  /** "mypassword" is a word, but "db_password" and "1password" are keys. */
  @Override
  Start start(char trigger) {
    return Start.NOT_AFTER_LETTER;
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(c -> valueChar((char) c));
  }

  private static boolean valueChar(char c) {
    // '<' ends it too: "<td>api_key: YOUR_KEY</td>" must not take the markup into the value
    return c > ' ' && c != '"' && c != '\'' && c != ',' && c != ';' && c != '}' && c != ')' && c != '`' && c != '<';
  }

  @Override
  String followers(char trigger) {
    StringBuilder out = new StringBuilder();
    for (String keyword : KEYWORDS) {
      if (keyword.charAt(0) == Character.toLowerCase(trigger)) {
        out.append(keyword.charAt(1)).append(Character.toUpperCase(keyword.charAt(1)));
      }
    }
    return out.toString();
  }

  @Override
  String thirdChars(char trigger, char second) {
    StringBuilder out = new StringBuilder();
    for (String keyword : KEYWORDS) {
      if (keyword.charAt(0) == Character.toLowerCase(trigger) && keyword.charAt(1) == Character.toLowerCase(second)) {
        out.append(keyword.charAt(2)).append(Character.toUpperCase(keyword.charAt(2)));
      }
    }
    return out.toString();
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    for (String keyword : BY_FIRST_LETTER[Character.toLowerCase(t.charAt(i)) - 'a']) {
      int k = 0;
      while (k < keyword.length() && i + k < n && Character.toLowerCase(t.charAt(i + k)) == keyword.charAt(k)) {
        k++;
      }
      if (k < keyword.length()) {
        if (i + k == n) {
          scan.live(i, RULE, this);
        }
        continue;
      }
      int end = value(scan, i, i + keyword.length());
      if (end > 0) {
        return end;
      }
    }
    return i + 1;
  }

  /** Looks for {@code [quote] spaces (: | = | =>) spaces [quote] value}; returns the value's end or -1. */
  private int value(Scan scan, int anchor, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    int j = from;
    boolean separator = false;
    while (j < n && j - from <= MAX_GAP) {
      char c = t.charAt(j);
      if (c == ':' || c == '=') {
        if (separator && c == ':') {
          return -1;
        }
        separator = true;
        j++;
      } else if (c == '"' || c == '\'' || c == ' ' || c == '>' || c == '\t') {
        j++;
      } else {
        break;
      }
    }
    if (j == n && !scan.complete && j - from <= MAX_GAP) {
      scan.live(anchor, RULE, this);
      return -1;
    }
    if (!separator || j - from > MAX_GAP) {
      return -1;
    }
    int start = j;
    while (j < n && j - start <= MAX_VALUE && valueChar(t.charAt(j))) {
      j++;
    }
    if (j == n && !scan.complete && j - start <= MAX_VALUE) {
      scan.live(anchor, RULE, this);
      return -1;
    }
    int length = j - start;
    if (length < MIN_VALUE || length > MAX_VALUE || classes(t, start, j) < 2 || entropy(t, start, j) < MIN_BITS_PER_CHAR) {
      return -1;
    }
    scan.found(anchor, start, j, RULE, priority);
    return j;
  }

  private static int classes(CharSequence t, int from, int to) {
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    for (int k = from; k < to; k++) {
      char c = t.charAt(k);
      lower |= c >= 'a' && c <= 'z';
      upper |= c >= 'A' && c <= 'Z';
      digit |= Chars.digit(c);
    }
    return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0);
  }

  /** c * log2(c) for the counts a value can have (no call to the maths library per character class). */
  private static final double[] C_LOG2_C = new double[MAX_VALUE + 2];

  static {
    for (int c = 1; c < C_LOG2_C.length; c++) {
      C_LOG2_C[c] = c * (Math.log(c) / Math.log(2));
    }
  }

  /**
   * Shannon entropy in bits per character, non-ASCII characters counted as one class: with counts
   * c_k over n characters, log2(n) - (sum of c_k log2 c_k) / n.
   */
  static double entropy(CharSequence t, int from, int to) {
    int n = to - from;
    if (n <= 0) {
      return 0;
    }
    int[] counts = new int[129];
    for (int k = from; k < to; k++) {
      char c = t.charAt(k);
      counts[c < 128 ? c : 128]++;
    }
    double sum = 0;
    for (int c : counts) {
      sum += c < C_LOG2_C.length ? C_LOG2_C[c] : c * (Math.log(c) / Math.log(2));
    }
    return Math.log(n) / Math.log(2) - sum / n;
  }
}
