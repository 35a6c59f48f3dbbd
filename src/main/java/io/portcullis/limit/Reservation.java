package io.portcullis.limit;

import io.portcullis.config.PriceTable;
import io.portcullis.ingress.Slot;
import io.portcullis.ingress.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request was charged, kept until the exchange is over, then closed once: the admission's
 * charges (per-window limits and quotas, the caller's, its team's and per model; a concurrency
 * place) and every claim a stream made on top ({@link StreamBudget}). Closing corrects the token
 * charges to the tokens really used of the kind each counts (input, output or both), or refunds them
 * whole when the request never reached a provider that served it; concurrency places are given
 * back. {@link #close} is the one place a reservation is settled: the limit stage calls it when the
 * exchange ends, however it ends.
 */
public final class Reservation {

  /** Where an exchange keeps its reservation. */
  public static final Slot<Reservation> SLOT = Slot.named("reservation");

  /** One charge as it was made: the window it went to, by which limiter. */
  public record Charged(Charge charge, Decision.State state, Limiter limiter) {}

  private final List<Charged> charged;
  private final long countedPrompt;
  private final long completionReserved;
  private final Usage usage;
  /** The price budgets in money were reserved at (null without such a budget). */
  private final PriceTable.Price price;
  private long claimed;
  private boolean closed;

  /**
   * @param countedPrompt the prompt tokens counted before the call
   * @param completionReserved the completion tokens the admission reserved
   * @param usage what the response reports as it goes
   */
  public Reservation(List<Charged> charged, long countedPrompt, long completionReserved, Usage usage) {
    this(charged, countedPrompt, completionReserved, usage, null);
  }

  /** @param price the model's price, which budgets in money were reserved at */
  public Reservation(List<Charged> charged, long countedPrompt, long completionReserved, Usage usage, PriceTable.Price price) {
    this.price = price;
    this.usage = usage;
    this.charged = new ArrayList<>(charged);
    this.countedPrompt = countedPrompt;
    this.completionReserved = completionReserved;
  }

  /** Whether a charge is one a stream's claims add to: it counts completion tokens, or what they cost. */
  static boolean claimable(Charge c) {
    return c.tokens() == Charge.Tokens.TOTAL || c.tokens() == Charge.Tokens.OUTPUT || c.tokens() == Charge.Tokens.MONEY;
  }

  /** What a claim of {@code tokens} completion tokens costs a budget in money. */
  long claimMicroUsd(long tokens) {
    return ChargePlan.microUsd(price, 0, tokens);
  }

  /** Whether any charge counts completion tokens (else a stream has nothing to claim). */
  boolean limitsCompletion() {
    for (Charged c : charged) {
      if (claimable(c.charge())) {
        return true;
      }
    }
    return false;
  }

  /** The completion tokens the stream holds: what the admission reserved, plus every claim granted. */
  long allowance() {
    return completionReserved + claimed;
  }

  /**
   * A claim was granted: its charges are settled with the rest at the end. Granted after the
   * exchange was closed (the client left while it was in flight), it is given back at once.
   */
  void claimed(long tokens, List<Charged> charges) {
    if (closed) {
      for (Charged c : charges) {
        if (c.state().window() >= 0) {
          c.limiter().settle(c.charge(), c.state().window(), -c.charge().cost());
        }
      }
      return;
    }
    claimed += tokens;
    charged.addAll(charges);
  }

  /**
   * The exchange is over. With {@code served}, every token charge is settled to the usage seen (as
   * reported unless the report is false; else as counted); without, every token reserved or
   * claimed goes back. A limit charged several times (the admission, then claims) is filled in
   * order and the rest given back from the last claims, each correction to the window it was charged
   * in. Then the concurrency places are given back. Only the first call counts.
   */
  public void close(boolean served) {
    close(served, null);
  }

  /**
   * The same; budgets in money are settled to what the usage cost at {@code actual}, the price of
   * the model the provider was asked for (the price reserved at when null).
   */
  public void close(boolean served, PriceTable.Price actual) {
    if (closed) {
      return;
    }
    closed = true;
    long input = served ? usage.inputOr(countedPrompt) : 0;
    long output = served ? usage.outputToCharge() : 0;
    PriceTable.Price at = actual != null ? actual : price;
    long money = !served || at == null ? 0
        : (long) Math.ceil(at.cost(input, output, usage.cachedInput(), usage.cachedInInput()) * 1_000_000 - 1e-9);
    Map<String, List<Charged>> byLimit = new LinkedHashMap<>();
    for (Charged c : charged) {
      if (c.charge().isConcurrency()) {
        c.limiter().release(c.charge());
      } else if (c.state().window() >= 0) { // admitted open: nothing was counted
        byLimit.computeIfAbsent(c.charge().key(), k -> new ArrayList<>(2)).add(c);
      }
    }
    for (List<Charged> limit : byLimit.values()) {
      Charge first = limit.get(0).charge();
      long left = switch (first.tokens()) {
        case TOTAL -> input + output;
        case INPUT -> input;
        case OUTPUT -> output;
        case MONEY -> money;
        case NONE -> first.cost();
      };
      for (int i = 0; i < limit.size(); i++) {
        Charged c = limit.get(i);
        long used = i == limit.size() - 1 ? left : Math.min(left, c.charge().cost());
        left -= used;
        if (used != c.charge().cost()) {
          c.limiter().settle(c.charge(), c.state().window(), used - c.charge().cost());
        }
      }
    }
  }
}
