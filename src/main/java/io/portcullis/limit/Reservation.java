package io.portcullis.limit;

import java.util.List;

/**
 * What a request was charged, kept until its real token usage is known, then settled once: the
 * token charge is corrected to the tokens really used (a failed request with nothing served is
 * refunded).
 */
public final class Reservation {

  private final List<Charge> charges;
  private final Decision decision;
  private final Limiter limiter;
  private final long countedPrompt;
  private final boolean stripUsage;
  private final Usage usage = new Usage();
  private boolean settled;

  /**
   * @param limiter the limiter that charged it (Redis, or the local one in fallback)
   * @param countedPrompt the prompt tokens counted before the call
   * @param stripUsage the gateway asked upstream for a usage chunk the client did not ask for: it
   *     is read, then dropped from the stream
   */
  public Reservation(List<Charge> charges, Decision decision, Limiter limiter, long countedPrompt, boolean stripUsage) {
    this.charges = List.copyOf(charges);
    this.decision = decision;
    this.limiter = limiter;
    this.countedPrompt = countedPrompt;
    this.stripUsage = stripUsage;
  }

  public boolean stripUsage() {
    return stripUsage;
  }

  /**
   * Whether the completion has run past what the caller may still spend: the completion tokens
   * reserved plus what the token limit had left after the reservation. Never for a request without
   * a token limit, or decided without the shared counters (open mode).
   */
  public boolean overBudget() {
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      if (c.kind().equals("tokens") && decision.states().get(i).window() >= 0) {
        long allowance = (c.cost() - countedPrompt) + decision.states().get(i).remaining();
        return usage.outputSoFar() > allowance;
      }
    }
    return false;
  }

  /** What the response reports as it goes. */
  public Usage usage() {
    return usage;
  }

  /** Settles with the usage seen. */
  public void settle() {
    settle(usage.total(countedPrompt));
  }

  /** Settles the token charge with the tokens really used (prompt + completion); only the first call counts. */
  public void settle(long usedTokens) {
    if (settled) {
      return;
    }
    settled = true;
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      long window = decision.states().get(i).window();
      if (c.kind().equals("tokens") && window >= 0 && usedTokens != c.cost()) {
        limiter.settle(c, window, usedTokens - c.cost());
      }
    }
  }
}
