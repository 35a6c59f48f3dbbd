package io.portcullis.scrub;

import java.util.function.IntPredicate;

/**
 * The rest of a candidate that was forced out redacted at the hold-back cap: the engine drops the
 * text this says still belongs to it, so no tail of a secret is released.
 */
interface Continuation {

  /** How many characters of {@code piece}, from {@code from}, still belong to the candidate. */
  int consume(CharSequence piece, int from);

  /** The candidate has ended; text after it is scanned as usual. */
  boolean ended();

  /** Sees the part of the candidate that was held (and redacted) before the cap forced it out. */
  default void prime(CharSequence held) {}

  /** A candidate that goes on while its characters do (a token's body run). */
  static Continuation whileChars(IntPredicate chars) {
    return new Continuation() {
      private boolean ended;

      @Override
      public int consume(CharSequence piece, int from) {
        int k = from;
        while (k < piece.length() && chars.test(piece.charAt(k))) {
          k++;
        }
        ended = k < piece.length();
        return k - from;
      }

      @Override
      public boolean ended() {
        return ended;
      }
    };
  }
}
