package io.portcullis.observe;

import io.portcullis.config.PriceTable;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.Slot;
import io.portcullis.ingress.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a request cost in money: the usage its provider reported (the completion as charged: the
 * count when the report was short) at the price table's price for the model the provider was asked
 * for, cached prompt tokens at their own price.
 */
final class Spend {

  private Spend() {}

  /** An exchange's cost once worked out: the metrics and the access log both read it when it ends. */
  private static final Slot<Double> COST = Slot.named("cost_usd");

  /**
   * The cost in US dollars, or -1 when nothing reached a provider, nothing was reported, or the
   * model has no price. Read once the exchange has ended (its usage is final): worked out once.
   */
  static double usd(Exchange ex) {
    Double known = ex.get(COST);
    if (known == null) {
      known = cost(ex);
      ex.put(COST, known);
    }
    return known;
  }

  private static double cost(Exchange ex) {
    if (!ex.reachedProvider() || ex.upstreamModel() == null) {
      return -1;
    }
    Usage usage = ex.usage();
    if (usage.input() < 0 && usage.output() < 0) {
      return -1;
    }
    PriceTable.Price price = ex.snapshot().config().prices().of(ex.upstreamModel());
    if (price == null) {
      return -1;
    }
    return price.cost(Math.max(0, usage.input()), usage.outputToCharge(), usage.cachedInput(), usage.cachedInInput());
  }

  /** A cost as the access log writes it: plain decimal, to a millionth of a cent. */
  static String format(double usd) {
    return BigDecimal.valueOf(usd).setScale(8, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }
}
