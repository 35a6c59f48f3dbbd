package io.portcullis.scrub;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Numbers written as digit groups ({@code 4111 1111 1111 1111}, {@code 123-45-6789}): payment card
 * numbers (13 to 19 digits, a known issuer prefix, Luhn check), US social security numbers
 * ({@code AAA-GG-SSSS} with the ranges never issued excluded) and phone numbers (international with
 * a leading {@code +} and 8 to 15 digits, or North American {@code 555-123-4567} / {@code 555 123 4567}).
 * A run starts where no letter or digit precedes it and may use single spaces or hyphens between
 * groups.
 */
final class DigitRunDetector extends Detector {

  static final String CARD = "card_number";
  static final String SSN = "us_ssn";
  static final String PHONE = "phone_number";
  private static final int MAX_RUN = 19 + 18;

  private final int cardPriority;
  private final int ssnPriority;
  private final int phonePriority;

  DigitRunDetector(int cardPriority, int ssnPriority, int phonePriority) {
    this.cardPriority = cardPriority;
    this.ssnPriority = ssnPriority;
    this.phonePriority = phonePriority;
  }

  @Override
  Set<String> rules() {
    return new LinkedHashSet<>(List.of(CARD, SSN, PHONE));
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
    return Continuation.whileChars(c -> Chars.digit((char) c) || c == ' ' || c == '-');
  }

  /** A '+' or '(' at the very end may begin a phone number. */
  @Override
  void atEnd(Scan scan, int from) {
    int n = scan.text.length();
    if (n > 0 && opens(scan.text.charAt(n - 1))) {
      scan.live(n - 1, PHONE, this);
    }
  }

  /** The characters a phone number may begin with before its first digit. */
  private static boolean opens(char c) {
    return c == '+' || c == '(';
  }

  /** One digit alone is none of these numbers. */
  @Override
  String followers(char trigger) {
    return "0123456789 -";
  }

  /**
   * Every number here has more than two digits, and a separator only ever stands between two
   * digits; when {@code at} finds nothing in a run, no later start inside it can (see startsRun).
   */
  @Override
  String thirdChars(char trigger, char second) {
    return Chars.digit(second) ? "0123456789 -" : "0123456789";
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    if (!startsRun(scan, i)) {
      return i + 1;
    }
    int j = i;
    int digits = 0;
    while (j < n && j - i <= MAX_RUN) {
      char c = t.charAt(j);
      if (Chars.digit(c)) {
        digits++;
        j++;
      } else if ((c == ' ' || c == '-') && j + 1 < n && Chars.digit(t.charAt(j + 1)) && Chars.digit(t.charAt(j - 1))) {
        j++;
      } else if ((c == ' ' || c == '-') && j + 1 == n && Chars.digit(t.charAt(j - 1))) {
        j++; // a separator at the very end: the run may go on
      } else {
        break;
      }
    }
    if (j - i > MAX_RUN) {
      return j; // too long for either; the rest of the run cannot start one (see startsRun)
    }
    if (j == n && !scan.complete) {
      scan.live(i > 0 && opens(t.charAt(i - 1)) ? i - 1 : i, CARD, this); // with its '+' or '(', if any
      return n; // nothing after a live run
    }
    if (j - i == 3 && i > 0 && t.charAt(i - 1) == '(' && j < n && t.charAt(j) == ')') {
      int end = parenthesised(scan, j + 1);
      if (end == LIVE) {
        scan.live(i - 1, PHONE, this);
        return n;
      }
      if (end > 0) {
        scan.found(i - 1, end, PHONE, phonePriority);
        return end + 1;
      }
    }
    int end = j;
    while (end > i && !Chars.digit(t.charAt(end - 1))) {
      end--; // a trailing separator is not part of the number
    }
    if (end < n && Chars.alnum(t.charAt(end)) && end == j) {
      return j + 1; // runs straight into a letter: a code, not a number
    }
    int length = end - i;
    if (digits >= 13 && digits <= 19 && isCard(t.subSequence(i, end))) {
      scan.found(i, end, CARD, cardPriority);
    } else if (length == 11 && isSsn(t.subSequence(i, end))) {
      scan.found(i, end, SSN, ssnPriority);
    } else if (scan.charBefore(i) == '+' && digits >= 8 && digits <= 15) {
      scan.found(i > 0 ? i - 1 : i, end, PHONE, phonePriority);
    } else if (length == 12 && isNorthAmerican(t.subSequence(i, end))) {
      scan.found(i, end, PHONE, phonePriority);
    }
    return end + 1;
  }

  /**
   * A run starts at a digit that follows neither a letter or digit nor a separator that itself
   * follows a digit ({@code 5-7}, {@code 5 7}): such a digit always belongs to the run before it.
   * Deciding this from two characters of context, not from where the scan began, is what makes a
   * stream scrubbed piece by piece agree with the whole text scrubbed at once.
   */
  private static boolean startsRun(Scan scan, int i) {
    char b = scan.neighbourBefore(i);
    return !Chars.alnum(b) && !((b == ' ' || b == '-') && Chars.digit(scan.charBefore2(i)));
  }

  static boolean isCard(CharSequence run) {
    StringBuilder d = new StringBuilder(19);
    for (int k = 0; k < run.length(); k++) {
      if (Chars.digit(run.charAt(k))) {
        d.append(run.charAt(k));
      }
    }
    return issuer(d) && luhn(d);
  }

  /** Visa, Mastercard, American Express, Discover, JCB, Diners, UnionPay, Maestro prefixes. */
  private static boolean issuer(CharSequence d) {
    int two = Integer.parseInt(d.subSequence(0, 2).toString());
    int four = Integer.parseInt(d.subSequence(0, 4).toString());
    int len = d.length();
    char first = d.charAt(0);
    if (first == '4') {
      return len == 13 || len == 16 || len == 19;
    }
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) {
      return len == 16;
    }
    if (two == 34 || two == 37) {
      return len == 15;
    }
    if (four == 6011 || two == 65 || (four >= 6440 && four <= 6499)) {
      return len >= 16;
    }
    if (four >= 3528 && four <= 3589) {
      return len >= 16;
    }
    if (two == 36 || two == 38 || (four >= 3000 && four <= 3059)) {
      return len >= 14;
    }
    if (two == 62) {
      return len >= 16;
    }
    return two == 50 || (two >= 56 && two <= 69);
  }

  static boolean luhn(CharSequence d) {
    int sum = 0;
    boolean dbl = false;
    for (int k = d.length() - 1; k >= 0; k--) {
      int v = d.charAt(k) - '0';
      if (dbl) {
        v *= 2;
        if (v > 9) {
          v -= 9;
        }
      }
      sum += v;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }

  /** {@code 555-123-4567}, {@code 555 123 4567} or {@code 555 123-4567}; area code and exchange not 0 or 1. */
  static boolean isNorthAmerican(CharSequence run) {
    if (run.length() != 12) {
      return false;
    }
    char a = run.charAt(3);
    char b = run.charAt(7);
    return (a == '-' || a == ' ') && (b == '-' || b == ' ') && run.charAt(0) >= '2' && run.charAt(4) >= '2';
  }

  private static final int LIVE = -2;

  /**
   * The rest of {@code (555) 123-4567} after the ')' at {@code from - 1}: an optional space, three
   * digits, a space or hyphen, four digits, then no letter or digit. Returns its end, -1 if it is
   * not one, or {@link #LIVE} if the text ends before that is decided.
   */
  private static int parenthesised(Scan scan, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    int k = from < n && t.charAt(from) == ' ' ? from + 1 : from;
    String shape = "ddd-dddd";
    for (int s = 0; s < shape.length(); s++, k++) {
      if (k == n) {
        return scan.complete ? -1 : LIVE;
      }
      char c = t.charAt(k);
      boolean ok = shape.charAt(s) == 'd' ? Chars.digit(c) : c == '-' || c == ' ';
      if (!ok || (s == 0 && c < '2')) {
        return -1;
      }
    }
    if (k == n && !scan.complete) {
      return LIVE; // another digit may follow
    }
    return k < n && Chars.alnum(t.charAt(k)) ? -1 : k;
  }

  static boolean isSsn(CharSequence run) {
    if (run.length() != 11 || run.charAt(3) != '-' || run.charAt(6) != '-') {
      return false;
    }
    for (int k = 0; k < run.length(); k++) {
      if (k != 3 && k != 6 && !Chars.digit(run.charAt(k))) {
        return false; // "123-45-67 8" is a run of groups, not AAA-GG-SSSS
      }
    }
    String s = run.toString();
    int area = Integer.parseInt(s.substring(0, 3));
    int group = Integer.parseInt(s.substring(4, 6));
    int serial = Integer.parseInt(s.substring(7));
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }
}
