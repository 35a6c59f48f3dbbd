package io.portcullis.scrub;

import java.util.ArrayList;
import java.util.List;

/**
 * The compiled detectors and the one pass that runs them all. For each ASCII character the pass
 * knows which detectors it triggers, split by the class of the character before it, and for each
 * of those which characters may come next for it to have a chance; a detector whose next
 * character cannot fit is not called. Inside ordinary words nothing is asked at all, which is
 * what keeps prose fast.
 *
 * <p>The next-character filter is exact, not a heuristic: a detector is skipped only where it
 * would have found nothing, kept nothing live and resumed at the next character (each detector's
 * {@link Detector#followers} says why for its grammar). At the end of the text every triggered
 * detector is called, since what follows is not known yet.
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

  /** The detectors one character triggers after one class of character, with their followers as bit sets. */
  private record Triggered(int[] detectors, long[] followersLow, long[] followersHigh) {}

  private final Detector[] detectors;
  /** [class of the character before * 128 + character]: what to ask, or null for nothing. */
  private final Triggered[] asked = new Triggered[4 * 128];
  /** The same as positions in {@link #asked} plus one (0 for nothing): a small table read per character. */
  private final short[] askedAt = new short[4 * 128];
  /** The detectors with an end-of-text check (most have none: no call per scan for them). */
  private final int[] endChecks;

  DetectorSet(List<Detector> detectors) {
    this.detectors = detectors.toArray(Detector[]::new);
    List<Integer> ends = new ArrayList<>();
    for (int d = 0; d < this.detectors.length; d++) {
      if (overridesAtEnd(this.detectors[d])) {
        ends.add(d);
      }
    }
    this.endChecks = ends.stream().mapToInt(Integer::intValue).toArray();
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
          long[] low = new long[ds.size()];
          long[] high = new long[ds.size()];
          for (int k = 0; k < ds.size(); k++) {
            String followers = this.detectors[ds.get(k)].followers((char) c);
            for (int next = 0; next < 128; next++) {
              if (followers == null || followers.indexOf(next) >= 0) {
                if (next < 64) {
                  low[k] |= 1L << next;
                } else {
                  high[k] |= 1L << (next - 64);
                }
              }
            }
          }
          asked[before * 128 + c] = new Triggered(ds.stream().mapToInt(Integer::intValue).toArray(), low, high);
          askedAt[before * 128 + c] = (short) (before * 128 + c + 1);
        }
      }
    }
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

  private static int classOf(char c) {
    if (c < 128) {
      return ASCII_CLASS[c];
    }
    return Character.isLetter(c) ? LETTER : OTHER;
  }

  /** Runs every detector over the scan's text in one pass. */
  void scan(Scan scan, char[] chars, int n) {
    int[] resume = new int[detectors.length];
    int row = classOf(scan.neighbourBefore(0)) * 128; // the row of the table for the character before
    boolean afterBackslash = scan.before == '\\';
    for (int i = 0; i < n; i++) {
      char c = chars[i];
      if (c < 128) {
        int at = askedAt[row + c];
        if (at != 0) {
          ask(scan, asked[at - 1], i, chars, n, resume);
        }
        // the letter of an escape (\n, \t) is a separator to what follows, as Scan#neighbourBefore says
        row = afterBackslash && ASCII_CLASS[c] == ASCII_LETTER ? OTHER * 128 : ROW[c];
        afterBackslash = c == '\\';
      } else {
        row = Character.isLetter(c) ? LETTER * 128 : OTHER * 128;
        afterBackslash = false;
      }
    }
    for (int d : endChecks) {
      detectors[d].atEnd(scan, resume[d]);
    }
  }

  private void ask(Scan scan, Triggered t, int i, char[] chars, int n, int[] resume) {
    int next = i + 1 < n ? chars[i + 1] : -1;
    int[] ds = t.detectors;
    for (int k = 0; k < ds.length; k++) {
      int d = ds[k];
      if (i >= resume[d] && (next < 0 || next >= 128
          || ((next < 64 ? t.followersLow[k] >>> next : t.followersHigh[k] >>> (next - 64)) & 1) != 0)) {
        resume[d] = detectors[d].at(scan, i, resume[d]);
      }
    }
  }
}
