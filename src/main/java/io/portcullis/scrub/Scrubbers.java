package io.portcullis.scrub;

import io.portcullis.config.ScrubConfig;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.Slot;

/**
 * The rule sets one config snapshot compiles: for responses (null when redaction is off) and for
 * request bodies (null when no rule applies to requests), and whether some rule pseudonymizes.
 */
public record Scrubbers(Scrubber responses, Scrubber requests, boolean pseudonymizing) {

  /** Where a snapshot keeps them. */
  public static final Slot<Scrubbers> SLOT = Slot.named("scrubbers");

  private static final Scrubbers OFF = new Scrubbers(null, null, false);

  public static Scrubbers of(ScrubConfig config) {
    return config.enabled() ? new Scrubbers(Scrubber.of(config), Scrubber.forRequests(config), config.pseudonymizes()) : OFF;
  }

  /** The rule sets of an exchange's snapshot (off when it has none). */
  public static Scrubbers of(Exchange ex) {
    Scrubbers s = ex.snapshot().get(SLOT);
    return s == null ? OFF : s;
  }
}
