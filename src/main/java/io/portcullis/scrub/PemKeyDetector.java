package io.portcullis.scrub;


/**
 * PEM private keys: from {@code -----BEGIN ... PRIVATE KEY-----} everything up to and including
 * the matching {@code -----END ... -----} line is one finding. A key is longer than any sensible
 * hold-back, so in a stream it is normally forced out at the cap as one redaction, and the rest of
 * it is dropped as it arrives until the END line has passed. A key never closed is redacted to the
 * end of the text.
 */
final class PemKeyDetector extends OneRuleDetector {

  static final String RULE = "pem_private_key";
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";
  private static final int MAX_LABEL = 64;


  PemKeyDetector(int priority) {
    super(RULE, priority);
  }

  @Override
  String triggers() {
    return "-";
  }

  @Override
  String followers(char trigger) {
    return "-";
  }

  @Override
  int at(Scan scan, int i, int from) {
    CharSequence t = scan.text;
    int n = t.length();
    int k = 0;
    while (k < BEGIN.length() && i + k < n && t.charAt(i + k) == BEGIN.charAt(k)) {
      k++;
    }
    if (k < BEGIN.length()) {
      if (i + k == n) {
        scan.live(i, RULE, this);
        return n;
      }
      return i + 1;
    }
    int labelStart = i + BEGIN.length();
    int labelEnd = indexOf(t, DASHES, labelStart, Math.min(n, labelStart + MAX_LABEL + DASHES.length()));
    if (labelEnd < 0) {
      if (n - labelStart <= MAX_LABEL + DASHES.length() && !scan.complete) {
        scan.live(i, RULE, this);
        return n;
      }
      return i + 1;
    }
    if (!t.subSequence(labelStart, labelEnd).toString().endsWith("PRIVATE KEY")) {
      return i + 1;
    }
    int end = closing(t, labelEnd + DASHES.length());
    if (end < 0) {
      if (!scan.complete) {
        scan.live(i, RULE, this);
        return n;
      }
      end = n; // never closed: redact to the end, fail closed
    }
    scan.found(i, end, RULE, priority);
    return end;
  }

  /** The end of the "-----END ...-----" line after {@code from}, or -1 when it is not there (yet). */
  private static int closing(CharSequence t, int from) {
    int end = indexOf(t, END, from, t.length());
    if (end < 0) {
      return -1;
    }
    int dashes = indexOf(t, DASHES, end + END.length(), Math.min(t.length(), end + END.length() + MAX_LABEL + DASHES.length()));
    return dashes < 0 ? -1 : dashes + DASHES.length();
  }

  private static int indexOf(CharSequence t, String s, int from, int to) {
    outer:
    for (int i = from; i + s.length() <= to; i++) {
      for (int k = 0; k < s.length(); k++) {
        if (t.charAt(i + k) != s.charAt(k)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  Continuation continuation() {
    // drop everything through the closing "-----END ...-----" line, which may arrive cut in pieces
    return new Continuation() {
      private final StringBuilder tail = new StringBuilder();
      private boolean ended;

      @Override
      public int consume(CharSequence piece, int from) {
        for (int k = from; k < piece.length(); k++) {
          tail.append(piece.charAt(k));
          int end = closing(tail, 0);
          if (end > 0) {
            ended = true;
            return k - from + 1;
          }
          if (tail.length() > 2 * (END.length() + MAX_LABEL + DASHES.length())) {
            tail.delete(0, tail.length() - (END.length() + MAX_LABEL + DASHES.length()));
          }
        }
        return piece.length() - from;
      }

      @Override
      public boolean ended() {
        return ended;
      }

      @Override
      public void prime(CharSequence held) {
        // the END line may have begun in the held text: keep its tail to match across the cut
        int keep = END.length() + MAX_LABEL + DASHES.length();
        tail.append(held, Math.max(0, held.length() - keep), held.length());
      }
    };
  }
}
