package io.portcullis.scrub;

import java.util.Set;

/**
 * Finds one family of sensitive text. Detectors do not loop over the text themselves: one pass of
 * {@link DetectorSet} asks each of them only at its trigger characters (an {@code '@'} for email,
 * the first characters of its prefixes for a token), so the cost of a scan is one look per
 * character plus a bounded amount of work per trigger, whatever the number of rules. (An abstract
 * class rather than an interface: the pass calls it per trigger, and a class call is cheaper.) Every
 * detector reads a bounded distance from a trigger, so hostile input cannot blow a scan up.
 */
abstract class Detector {

  /** Where a candidate may start, judged from the character before it (checked by the pass). */
  enum Start {
    /** At any trigger character. */
    ANYWHERE,
    /** Not right after an ASCII letter. */
    NOT_AFTER_LETTER,
    /** Not right after an ASCII letter or digit. */
    NOT_AFTER_ALNUM
  }

  /** The names of the rules this detector reports. */
  abstract Set<String> rules();

  /** The ASCII characters at which a candidate of this detector may start or be anchored. */
  abstract String triggers();

  /**
   * Where, by the character before it, a trigger may start a candidate. Only ASCII letters and
   * digits continue a word here: text in scripts without spaces (Chinese, Japanese) runs straight
   * into a key or a number, and the letter of an escape such as {@code \n} in quoted code stands
   * for a separator ({@link Scan#neighbourBefore}).
   */
  Start start(char trigger) {
    return Start.ANYWHERE;
  }

  /**
   * The characters that may follow {@code trigger} in anything this detector can find or keep
   * live, or null for any. A trigger followed by none of them is not looked at (the pass's cheap
   * second-character filter); a trigger at the end of the text always is.
   */
  String followers(char trigger) {
    return null;
  }

  /**
   * The characters that may come third, after {@code trigger} and {@code second}, in anything this
   * detector can find or keep live, or null for any (the same exact filter, one character further).
   */
  String thirdChars(char trigger, char second) {
    return null;
  }

  /**
   * Looks at position {@code i}, whose character is one of {@link #triggers()}; {@code from} is
   * where this detector last asked to resume (0 at first). Reports findings and live candidates
   * to the scan and returns where to resume: {@code i + 1} to go on, the end of the text it has
   * consumed, or the text's length to stop (nothing after a live candidate can be decided).
   */
  abstract int at(Scan scan, int i, int from);

  /** After the pass: reports a candidate that runs to the end of the text without a trigger in it. */
  void atEnd(Scan scan, int from) {}

  /**
   * The characters that extend a live candidate of this detector. When the hold-back cap forces a
   * candidate out as redacted, the engine keeps dropping these until the candidate ends, so no tail
   * of it is ever released.
   */
  abstract Continuation continuation();
}
