package io.portcullis.limit;

import java.util.List;

/**
 * What a request was charged, kept until its real token usage is known, then settled once: every
 * token charge (per-window limits and quotas, the caller's, its team's and per model) is corrected
 * to the tokens really used of the kind it counts (input, output or both); a failed request with
 * nothing served is refunded.
 */
public final class Reservation {

  /** One charge as it was made: the window it went to, by which limiter. */
  public record Charged(Charge charge, Decision.State state, Limiter limiter) {}

  private final List<Charged> charged;
  private final long countedPrompt;
  private final boolean stripUsage;
  private final Usage usage;
  private boolean settled;

  /**
   * @param countedPrompt the prompt tokens counted before the call
   * @param stripUsage the gateway asked upstream for a usage chunk the client did not ask for: it
   *     is read, then dropped from the stream
   */
  public Reservation(List<Charged> charged, long countedPrompt, boolean stripUsage, Usage usage) {
    this.usage = usage;
    this.charged = List.copyOf(charged);
    this.countedPrompt = countedPrompt;
    this.stripUsage = stripUsage;
  }

  public boolean stripUsage() {
    return stripUsage;
  }

  /** What the response reports as it goes. */
  public Usage usage() {
    return usage;
  }

  /**
   * Whether the completion has run past what the caller may still spend: for each token limit, the
   * completion tokens reserved plus what it had left after the reservation (the tightest counts).
   * Never for a request decided without the shared counters (open mode).
   */
  public boolean overBudget() {
    long allowance = Long.MAX_VALUE;
    for (Charged c : charged) {
      if (c.state().window() < 0) {
        continue;
      }
      switch (c.charge().tokens()) {
        case TOTAL -> allowance = Math.min(allowance, (c.charge().cost() - countedPrompt) + c.state().remaining());
        case OUTPUT -> allowance = Math.min(allowance, c.charge().cost() + c.state().remaining());
        default -> { } // requests, and input tokens (all spent before the first output token)
      }
    }
    return usage.outputSoFar() > allowance;
  }

  /** Settles with the usage seen. */
  public void settle() {
    settle(usage.inputOr(countedPrompt), usage.outputOrStreamed());
  }

  private boolean released;

  /** The exchange is over: settle (if not done yet) and give back the concurrency places. */
  public void finish() {
    settle();
    if (!released) {
      released = true;
      for (Charged c : charged) {
        if (c.charge().isConcurrency()) {
          c.limiter().release(c.charge());
        }
      }
    }
  }

  /** Nothing was served: every token reserved goes back. */
  public void refund() {
    settle(0, 0);
  }

  /** Settles every token charge with the tokens really used; only the first call counts. */
  public void settle(long inputTokens, long outputTokens) {
    if (settled) {
      return;
    }
    settled = true;
    for (Charged c : charged) {
      if (c.charge().isConcurrency() || c.state().window() < 0) {
        continue;
      }
      long used = switch (c.charge().tokens()) {
        case TOTAL -> inputTokens + outputTokens;
        case INPUT -> inputTokens;
        case OUTPUT -> outputTokens;
        case NONE -> c.charge().cost();
      };
      if (used != c.charge().cost()) {
        c.limiter().settle(c.charge(), c.state().window(), used - c.charge().cost());
      }
    }
  }
}
