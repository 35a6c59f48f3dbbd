package io.portcullis.scrub;

/**
 * Finds one family of sensitive text. Every detector scans in time linear in the text (each runs a
 * bounded distance from each position), so hostile input cannot blow it up, and every candidate it
 * can hold is bounded by {@link #maxCandidateLength()}.
 */
interface Detector {

  /** Reports decided findings and the earliest live candidate of this detector. */
  void scan(Scan scan);

  /** The names of the rules this detector reports. */
  java.util.Set<String> rules();

  /** The longest text this detector can keep undecided. */
  int maxCandidateLength();

  /**
   * The characters that extend a live candidate of this detector. When the hold-back cap forces a
   * candidate out as redacted, the engine keeps dropping these until the candidate ends, so no tail
   * of it is ever released.
   */
  Continuation continuation();
}
