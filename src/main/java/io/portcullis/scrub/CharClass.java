package io.portcullis.scrub;

import java.util.BitSet;
import java.util.function.IntPredicate;

/** A set of ASCII characters written as ranges and single characters, e.g. {@code A-Za-z0-9_-}. */
public final class CharClass {

  private CharClass() {}

  /** The set as a predicate, or null when the text is not a valid set. */
  public static IntPredicate parse(String spec) {
    if (spec == null || spec.isEmpty()) {
      return null;
    }
    BitSet set = new BitSet(128);
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c >= 128) {
        return null;
      }
      if (i + 2 < spec.length() && spec.charAt(i + 1) == '-') {
        char to = spec.charAt(i + 2);
        if (to < c || to >= 128) {
          return null;
        }
        set.set(c, to + 1);
        i += 2;
      } else {
        set.set(c);
      }
    }
    return ch -> ch < 128 && set.get(ch);
  }
}
