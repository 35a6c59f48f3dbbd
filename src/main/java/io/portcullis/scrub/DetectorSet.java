package io.portcullis.scrub;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiled detectors and the one pass that runs them all. For each ASCII character the pass
 * knows which detectors it triggers, split by the class of the character before it, and for each
 * character that may come next which of them have a chance, and which third characters those
 * allow (a keyword or a prefix spelled out: "to" is asked nothing unless a 'k' follows); a
 * detector whose next characters cannot fit is not called. Inside ordinary words nothing is asked
 * at all, which is what keeps prose fast.
 *
 * <p>The filter is exact, not a heuristic: a detector is skipped only where it would have found
 * nothing, kept nothing live and resumed at the next character (each detector's
 * {@link Detector#followers} and {@link Detector#thirdChars} say why for its grammar). Where the
 * text ends before them, every triggered detector is called, since what follows is not known yet.
 */
final class DetectorSet {

  private static final int OTHER = 0;
  private static final int DIGIT = 1;
  private static final int ASCII_LETTER = 2;
  private static final int LETTER = 3; // not ASCII
  private static final byte[] ASCII_CLASS = new byte[128];
  /** For an ASCII character, the start of its class's row in the tables (class * 128). */
  private static final short[] ROW = new short[128];

  static {
    for (int c = 0; c < 128; c++) {
      ASCII_CLASS[c] = (byte) (c >= '0' && c <= '9' ? DIGIT
          : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? ASCII_LETTER : OTHER);
      ROW[c] = (short) (ASCII_CLASS[c] * 128);
    }
  }

  /**
   * The detectors a trigger followed by one ASCII character may concern, and the union of the
   * characters they allow third (no bit set beyond ASCII: a non-ASCII third character always asks).
   */
  private record Next(int[] detectors, long thirdLow, long thirdHigh) {

    boolean allowsThird(int third) {
      return ((third < 64 ? thirdLow >>> third : thirdHigh >>> (third - 64)) & 1) != 0;
    }
  }

  /**
   * What one character triggers after one class of character: every detector (when what follows is
   * not known yet, or not ASCII), and those left for each ASCII character that may follow (null
   * where none is: nothing is asked at all).
   */
  private record Triggered(int[] all, Next[] byNext) {}

  private final Detector[] detectors;
  private final boolean everyTrigger;
  /** [class of the character before * 128 + character]: what to ask, or null for nothing. */
  private final Triggered[] asked = new Triggered[4 * 128];
  /**
   * The same as positions in {@link #asked} plus one (0 for nothing): the small table read per
   * character. (The row for the next character is worked out from the character itself, not read
   * from this table: a table read that fed the next one would chain every character's latency.)
   */
  private final short[] askedAt = new short[4 * 128];
  /** The detectors with an end-of-text check (most have none: no call per scan for them). */
  private final int[] endChecks;

  DetectorSet(List<Detector> detectors) {
    this(detectors, false);
  }

  /**
   * @param everyTrigger ask every triggered detector whatever follows (no next- or third-character
   *     filter): the reference the tests hold the filtered pass to
   */
  DetectorSet(List<Detector> detectors, boolean everyTrigger) {
    this.everyTrigger = everyTrigger;
    this.detectors = detectors.toArray(Detector[]::new);
    List<Integer> ends = new ArrayList<>();
    for (int d = 0; d < this.detectors.length; d++) {
      if (overridesAtEnd(this.detectors[d])) {
        ends.add(d);
      }
    }
    this.endChecks = ends.stream().mapToInt(Integer::intValue).toArray();
    fillAsked();
  }

  /** Fills {@link #asked}: what each character triggers after each class of character. */
  private void fillAsked() {
    for (int c = 0; c < 128; c++) {
      for (int before = 0; before < 4; before++) {
        List<Integer> ds = new ArrayList<>();
        for (int d = 0; d < this.detectors.length; d++) {
          Detector detector = this.detectors[d];
          if (detector.triggers().indexOf(c) >= 0 && allows(detector.start((char) c), before)) {
            ds.add(d);
          }
        }
        if (!ds.isEmpty()) {
          asked[before * 128 + c] = triggered((char) c, ds);
          askedAt[before * 128 + c] = (short) (before * 128 + c + 1);
        }
      }
    }
  }

  /** The detectors of one trigger, sorted by the character that follows it and the one after that. */
  private Triggered triggered(char trigger, List<Integer> ds) {
    String[] followers = new String[ds.size()];
    for (int k = 0; k < ds.size(); k++) {
      followers[k] = detectors[ds.get(k)].followers(trigger);
    }
    Next[] byNext = new Next[128];
    for (int next = 0; next < 128; next++) {
      List<Integer> concerned = new ArrayList<>();
      long low = 0;
      long high = 0;
      for (int k = 0; k < ds.size(); k++) {
        if (followers[k] != null && followers[k].indexOf(next) < 0) {
          continue;
        }
        concerned.add(ds.get(k));
        String third = detectors[ds.get(k)].thirdChars(trigger, (char) next);
        if (third == null) {
          low = -1L;
          high = -1L;
          continue;
        }
        for (int j = 0; j < third.length(); j++) {
          char t = third.charAt(j);
          if (t < 64) {
            low |= 1L << t;
          } else if (t < 128) {
            high |= 1L << (t - 64);
          }
        }
      }
      if (!concerned.isEmpty()) {
        byNext[next] = new Next(concerned.stream().mapToInt(Integer::intValue).toArray(), low, high);
      }
    }
    return new Triggered(ds.stream().mapToInt(Integer::intValue).toArray(), byNext);
  }

  private static boolean overridesAtEnd(Detector d) {
    try {
      return d.getClass().getDeclaredMethod("atEnd", Scan.class, int.class) != null;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static boolean allows(Detector.Start start, int before) {
    return switch (start) {
      case ANYWHERE -> true;
      case NOT_AFTER_LETTER -> before != ASCII_LETTER;
      case NOT_AFTER_ALNUM -> before == OTHER || before == LETTER;
    };
  }

  /** The class of a character as the one before a trigger, the one before it being {@code before}. */
  private static int classAfter(char c, char before) {
    if (c >= 128) {
      return Character.isLetter(c) ? LETTER : OTHER;
    }
    return before == '\\' && ASCII_CLASS[c] == ASCII_LETTER ? OTHER : ASCII_CLASS[c];
  }

  /** Runs every detector over the scan's text in one pass. */
  void scan(Scan scan, char[] chars, int n) {
    int[] resume = new int[detectors.length];
    int row = classAfter(scan.before, scan.before2) * 128; // the row of the table for the character before
    boolean afterBackslash = scan.before == '\\';
    // locals, not fields: the calls in the loop would otherwise make the JIT read them again each time
    short[] askedAt = this.askedAt;
    Triggered[] asked = this.asked;
    boolean everyTrigger = this.everyTrigger;
    short[] rows = ROW;
    byte[] classes = ASCII_CLASS;
    for (int i = 0; i < n; i++) {
      char c = chars[i];
      if (c < 128) {
        int at = askedAt[row + c];
        if (at != 0) {
          Triggered t = asked[at - 1];
          int next = i + 1 < n ? chars[i + 1] : 128;
          if (next >= 128 || everyTrigger) {
            ask(scan, t.all, i, resume); // the end of the text, or a character no table covers
          } else {
            Next concerned = t.byNext[next];
            int third = i + 2 < n ? chars[i + 2] : 128;
            if (concerned != null && (third >= 128 || concerned.allowsThird(third))) {
              ask(scan, concerned.detectors, i, resume);
            }
          }
        }
        // the letter of an escape (\n, \t) is a separator to what follows, as Scan#neighbourBefore says
        row = afterBackslash && classes[c] == ASCII_LETTER ? OTHER * 128 : rows[c];
        afterBackslash = c == '\\';
      } else {
        row = Character.isLetter(c) ? LETTER * 128 : OTHER * 128;
        afterBackslash = false;
        scan.wide |= c > 255;
      }
    }
    for (int d : endChecks) {
      detectors[d].atEnd(scan, resume[d]);
    }
  }

  private void ask(Scan scan, int[] ds, int i, int[] resume) {
    for (int d : ds) {
      if (i >= resume[d]) {
        resume[d] = detectors[d].at(scan, i, resume[d]);
      }
    }
  }
}
