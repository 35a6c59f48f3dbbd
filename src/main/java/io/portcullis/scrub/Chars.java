package io.portcullis.scrub;

/** Character classes shared by the detectors (ASCII only: secrets and these PII formats are ASCII). */
final class Chars {

  private Chars() {}

  static boolean alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Letters, digits and underscore, plus any non-ASCII letter: what makes a word go on. */
  static boolean word(char c) {
    return alnum(c) || c == '_' || (c > 127 && Character.isLetterOrDigit(c));
  }
}
