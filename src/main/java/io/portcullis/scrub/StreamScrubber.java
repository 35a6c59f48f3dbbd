package io.portcullis.scrub;

import io.portcullis.format.TextFilter;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The incremental engine for one stream of text (one choice of one response). Fed text piece by
 * piece, it returns only text that can no longer become part of a match: everything before the
 * earliest start of a live candidate, with decided findings replaced by {@code [REDACTED:<rule>]}.
 * Prose flows with no delay; only a live partial match is held.
 *
 * <p>Invariant: the concatenation of everything returned equals {@link Scrubber#scrub} of the whole
 * text, however the text was split, as long as no candidate outgrows the hold-back cap. Past the
 * cap the held text is redacted (fail closed) and the rest of that candidate is dropped as it
 * arrives; held text is never released unscanned, and never on a timer.
 */
public final class StreamScrubber implements TextFilter {

  /** Earliest first; at the same start the rule listed first wins (e.g. a URL password over an email). */
  static final Comparator<Finding> ORDER = Comparator.comparingInt(Finding::start)
      .thenComparingInt(Finding::priority)
      .thenComparing(Comparator.comparingInt(Finding::end).reversed());

  private final DetectorSet detectors;
  private final Redaction redaction;
  private final int maxHold;
  private final Consumer<String> onRedaction;
  private final StringBuilder held = new StringBuilder();
  /** The held text copied out for the scan's pass (reused: one stream's scans are sequential). */
  private char[] chars = new char[64];
  /** The last two characters passed (released or dropped), the one just before the held text first. */
  private char before;
  private char before2;
  private Continuation suppressing;

  StreamScrubber(DetectorSet detectors, Redaction redaction, int maxHold, Consumer<String> onRedaction) {
    this.detectors = detectors;
    this.redaction = redaction;
    this.maxHold = maxHold;
    this.onRedaction = onRedaction;
  }

  /** Takes the next piece; returns what may be released now (possibly empty). */
  @Override
  public String feed(String piece) {
    return feed((CharSequence) piece);
  }

  public String feed(CharSequence piece) {
    int from = 0;
    if (suppressing != null) {
      from = suppressing.consume(piece, 0);
      passed(piece, from);
      if (suppressing.ended()) {
        suppressing = null;
      }
    }
    held.append(piece, from, piece.length());
    return release(false);
  }

  /** End of content: a final check of everything held, and all of it released. */
  @Override
  public String finish() {
    suppressing = null;
    return release(true);
  }

  private String release(boolean complete) {
    if (held.length() == 0) {
      return "";
    }
    Scan scan = new Scan(held, before, before2, complete);
    int n = held.length();
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    held.getChars(0, n, chars, 0);
    detectors.scan(scan, chars, n);
    int live = scan.live();
    List<Finding> findings = scan.findings;
    if (findings.size() > 1) {
      findings.sort(ORDER);
    }
    // A finding that does not end before the release point is found again once more text has
    // come, so the text it is found from (its anchor) must still be here then.
    boolean lowered = true;
    while (lowered) {
      lowered = false;
      for (Finding f : findings) {
        if (f.end() > live && f.anchor() < live && redaction.applies(f.rule())) {
          live = f.anchor();
          lowered = true;
        }
      }
    }
    StringBuilder out = new StringBuilder(live + 16);
    redaction.apply(held, 0, live, findings, out, onRedaction);
    if (!complete && held.length() - live > maxHold) {
      // fail closed: the candidate outgrew the cap, so it goes out redacted, never unscanned
      out.append(redaction.mask(scan.liveRule()));
      onRedaction.accept(scan.liveRule());
      suppressing = scan.liveDetector().continuation();
      suppressing.prime(held.subSequence(live, held.length()));
      passed(held, held.length());
      held.setLength(0);
      return out.toString();
    }
    if (live > 0) {
      passed(held, live);
      held.delete(0, live);
    }
    return out.toString();
  }

  /** Remembers the last characters of {@code text[0, end)}, which have left the held text. */
  private void passed(CharSequence text, int end) {
    if (end >= 2) {
      before2 = text.charAt(end - 2);
      before = text.charAt(end - 1);
    } else if (end == 1) {
      before2 = before;
      before = text.charAt(0);
    }
  }
}
