package io.portcullis.scrub;

import java.util.List;
import java.util.function.Consumer;

/**
 * A compiled set of rules: makes one {@link StreamScrubber} per stream of text, and scrubs whole
 * texts (non-streaming responses, request bodies, log lines) with the same rules in block mode.
 */
public final class Scrubber {

  public static final int DEFAULT_MAX_HOLD = 512;

  private final List<Detector> detectors;
  private final int maxHold;

  private Scrubber(List<Detector> detectors, int maxHold) {
    this.detectors = List.copyOf(detectors);
    this.maxHold = maxHold;
  }

  /** Every built-in rule, with the given hold-back cap in characters. */
  public static Scrubber builtIn(int maxHold) {
    return new Scrubber(Rules.builtIn(), maxHold);
  }

  public StreamScrubber stream(Consumer<String> onRedaction) {
    return new StreamScrubber(detectors, maxHold, onRedaction);
  }

  /** Block mode: the whole text at once. */
  public String scrub(CharSequence text) {
    StreamScrubber s = new StreamScrubber(detectors, Integer.MAX_VALUE, rule -> { });
    return s.feed(text) + s.finish();
  }

  /** The longest candidate any rule can hold; a cap below it makes long matches fail closed. */
  public int longestCandidate() {
    return detectors.stream().mapToInt(Detector::maxCandidateLength).max().orElse(0);
  }

  static String mask(String rule) {
    return "[REDACTED:" + rule + "]";
  }
}
