package io.portcullis.scrub;

import java.util.Map;
import java.util.function.IntPredicate;

/**
 * International bank account numbers: country code, two check digits and the account part, written
 * whole or in groups of four separated by single spaces; the country's length and the mod-97 check
 * must both hold.
 */
final class IbanDetector extends OneRuleDetector {

  static final String RULE = "iban";
  private static final int MAX = 34 + 8;

  private static final Map<String, Integer> LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
      Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
      Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
      Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29),
      Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
      Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28),
      Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23),
      Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
      Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20),
      Map.entry("LV", 21), Map.entry("LY", 25), Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22),
      Map.entry("MK", 19), Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NL", 18),
      Map.entry("NO", 15), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25),
      Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24), Map.entry("SC", 31),
      Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("ST", 25),
      Map.entry("SV", 28), Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29),
      Map.entry("VA", 22), Map.entry("VG", 24), Map.entry("XK", 20));


  IbanDetector(int priority) {
    super(RULE, priority);
  }

  @Override
  String triggers() {
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  }

  @Override
  Start start(char trigger) {
    return Start.NOT_AFTER_ALNUM;
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(c -> Chars.alnum((char) c) || c == ' ');
  }

  private static boolean upper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  /** The country code is two capital letters. */
  @Override
  String followers(char trigger) {
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    // the shape: letter letter digit digit, then groups of up to four letters or digits
    int j = i;
    int chars = 0;
    while (j < n && j - i <= MAX) {
      char c = t.charAt(j);
      boolean ok = chars < 2 ? upper(c) : chars < 4 ? Chars.digit(c) : upper(c) || Chars.digit(c);
      if (ok) {
        chars++;
        j++;
      } else if (c == ' ' && chars >= 4 && chars % 4 == 0 && j + 1 < n && Chars.alnum(t.charAt(j + 1))) {
        j++;
      } else if (c == ' ' && chars >= 4 && chars % 4 == 0 && j + 1 == n) {
        j++;
      } else {
        if (chars < 2) {
          return i + 1; // not even the country code
        }
        break;
      }
    }
    if (j - i > MAX) {
      return i + 1;
    }
    if (j == n && !scan.complete) {
      scan.live(i, RULE, this);
      return n;
    }
    int end = j;
    while (end > i && t.charAt(end - 1) == ' ') {
      end--;
    }
    if (end < n && Chars.alnum(t.charAt(end)) && end == j) {
      return i + 1;
    }
    String compact = t.subSequence(i, end).toString().replace(" ", "");
    Integer length = compact.length() >= 4 ? LENGTHS.get(compact.substring(0, 2)) : null;
    if (length != null && length == compact.length() && mod97(compact)) {
      scan.found(i, end, RULE, priority);
      return end + 1;
    }
    return i + 1;
  }

  private static boolean mod97(String iban) {
    String moved = iban.substring(4) + iban.substring(0, 4);
    int rest = 0;
    for (int k = 0; k < moved.length(); k++) {
      char c = moved.charAt(k);
      int v = Chars.digit(c) ? c - '0' : c - 'A' + 10;
      rest = v < 10 ? (rest * 10 + v) % 97 : (rest * 100 + v) % 97;
    }
    return rest == 1;
  }
}
