package io.portcullis.limit;

import io.portcullis.ingress.Slot;
import io.portcullis.ingress.Usage;
import java.util.List;

/**
 * What a request was charged, kept until the exchange is over, then closed once: every token charge
 * (per-window limits and quotas, the caller's, its team's and per model) is corrected to the tokens
 * really used of the kind it counts (input, output or both), or refunded whole when the request
 * never reached a provider that served it; concurrency places are given back. {@link #close} is the
 * one place a reservation is settled: the limit stage calls it when the exchange ends, however it ends.
 */
public final class Reservation {

  /** Where an exchange keeps its reservation. */
  public static final Slot<Reservation> SLOT = Slot.named("reservation");

  /** One charge as it was made: the window it went to, by which limiter. */
  public record Charged(Charge charge, Decision.State state, Limiter limiter) {}

  private final List<Charged> charged;
  private final long countedPrompt;
  private final Usage usage;
  private boolean closed;

  /**
   * @param countedPrompt the prompt tokens counted before the call
   * @param usage what the response reports as it goes
   */
  public Reservation(List<Charged> charged, long countedPrompt, Usage usage) {
    this.usage = usage;
    this.charged = List.copyOf(charged);
    this.countedPrompt = countedPrompt;
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

  /**
   * The exchange is over. With {@code served}, every token charge is settled to the usage seen (as
   * reported; else the prompt as counted and one token per text event streamed); without, every
   * token reserved goes back. Then the concurrency places are given back. Only the first call counts.
   */
  public void close(boolean served) {
    if (closed) {
      return;
    }
    closed = true;
    long input = served ? usage.inputOr(countedPrompt) : 0;
    long output = served ? usage.outputOrStreamed() : 0;
    for (Charged c : charged) {
      if (c.charge().isConcurrency()) {
        c.limiter().release(c.charge());
        continue;
      }
      if (c.state().window() < 0) {
        continue; // admitted open: nothing was counted
      }
      long used = switch (c.charge().tokens()) {
        case TOTAL -> input + output;
        case INPUT -> input;
        case OUTPUT -> output;
        case NONE -> c.charge().cost();
      };
      if (used != c.charge().cost()) {
        c.limiter().settle(c.charge(), c.state().window(), used - c.charge().cost());
      }
    }
  }
}
