package io.portcullis.scrub;

import java.util.ArrayList;
import java.util.List;

/**
 * One pass of the detectors over the text the engine holds. Detectors report findings that are
 * decided (no further text can change them) and the earliest position where an undecided match
 * could still begin ("live"); the engine releases text only before that position.
 */
final class Scan {

  final CharSequence text;
  /** The character just before {@link #text} (already released), or 0 at the start of content. */
  final char before;
  /** The character before {@link #before}, or 0. */
  final char before2;
  /** No more text will come: nothing is undecided. */
  final boolean complete;
  final List<Finding> findings = new ArrayList<>(2);
  /** The pass saw a character beyond one byte (set by {@link DetectorSet}, for sizing the output). */
  boolean wide;
  private int live;
  private String liveRule;
  private Detector liveDetector;

  Scan(CharSequence text, char before, char before2, boolean complete) {
    this.text = text;
    this.before = before;
    this.before2 = before2;
    this.complete = complete;
    this.live = text.length();
  }

  char charBefore(int i) {
    return i == 0 ? before : text.charAt(i - 1);
  }

  /**
   * The character before position {@code i} as a neighbour: the letter of an escape such as
   * {@code \n} or {@code \t} (a model writing quoted code or JSON) reads as the space it stands for,
   * so a key or a number right after it still starts there. Decided from two characters only, so a
   * stream cut anywhere decides it the same way.
   */
  char neighbourBefore(int i) {
    char b = charBefore(i);
    return b >= 'A' && Chars.alnum(b) && charBefore2(i) == '\\' ? ' ' : b;
  }

  /** The character two before position {@code i}. */
  char charBefore2(int i) {
    return i >= 2 ? text.charAt(i - 2) : i == 1 ? before : before2;
  }

  void found(int start, int end, String rule, int priority) {
    findings.add(new Finding(start, start, end, rule, priority));
  }

  void found(int anchor, int start, int end, String rule, int priority) {
    findings.add(new Finding(anchor, start, end, rule, priority));
  }

  /** A match could begin at {@code start} and is not decided yet. */
  void live(int start, String rule, Detector detector) {
    if (!complete && start < live) {
      live = start;
      liveRule = rule;
      liveDetector = detector;
    }
  }

  Detector liveDetector() {
    return liveDetector;
  }

  int live() {
    return live;
  }

  String liveRule() {
    return liveRule;
  }
}
