package io.portcullis.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.LimitsConfig;
import io.portcullis.config.PriceTable;
import io.portcullis.ingress.Principal;
import io.portcullis.ingress.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The arithmetic of budgets in money on random prices and usages: a reservation is the prompt and
 * max_tokens at the price, rounded up to a millionth of a dollar; settling leaves in the counter
 * exactly what the usage cost (cached prompt tokens at their price, in either provider's convention),
 * across the admission and any number of claims; an unserved request leaves nothing.
 */
class MoneyBudgetTest {

  static final Principal CALLER = new Principal("u", "t", Set.of(), null, "none");

  static LimitsConfig.Policy policy(long dailyMicro) {
    LimitsConfig.Limits user = new LimitsConfig.Limits(null, null, null, null, null, null, null, dailyMicro, null);
    return new LimitsConfig.Policy("p", user, null, List.of(), 100, LimitsConfig.OnRedisFailure.LOCAL, Duration.ofMinutes(1));
  }

  /** What is counted against the limit now: its limit minus what a free charge finds left. */
  static long used(LocalLimiter limiter, Charge charge) {
    Decision d = limiter.acquire(List.of(charge.withCost(0))).result();
    return charge.limit() - d.states().get(0).remaining();
  }

  @Test
  void aSettledReservationLeavesExactlyWhatTheUsageCost() {
    Random random = new Random(20);
    for (int round = 0; round < 3_000; round++) {
      PriceTable.Price price = new PriceTable.Price(random.nextInt(20_000) / 100.0, random.nextInt(80_000) / 100.0,
          random.nextInt(2_000) / 100.0);
      long prompt = 1 + random.nextInt(5_000);
      long maxTokens = 1 + random.nextInt(4_000);
      LocalLimiter limiter = new LocalLimiter(() -> 1_000_000L);
      ChargePlan plan = ChargePlan.of(CALLER, policy(1_000_000_000_000L), "m", prompt, maxTokens, null, 1, price);
      Charge money = plan.user().get(0);
      assertThat(money.tokens()).isEqualTo(Charge.Tokens.MONEY);
      assertThat(money.cost()).isEqualTo((long) Math.ceil(prompt * price.input() + maxTokens * price.output() - 1e-9));
      Decision admitted = limiter.acquire(plan.user()).result();
      assertThat(admitted.allowed()).isTrue();

      Usage usage = new Usage();
      long input = 1 + random.nextInt(6_000);
      long output = random.nextInt(6_000);
      boolean inInput = random.nextBoolean();
      long cached = random.nextInt(3) == 0 ? -1 : random.nextInt((int) input);
      usage.reported(input, output);
      usage.cached(cached, inInput);
      List<Reservation.Charged> charged = new ArrayList<>();
      charged.add(new Reservation.Charged(money, admitted.states().get(0), limiter));
      Reservation reservation = new Reservation(charged, prompt, maxTokens, usage, price);
      // a stream's claims add to it before the end
      int claims = random.nextInt(4);
      for (int c = 0; c < claims; c++) {
        Charge claim = money.withCost(reservation.claimMicroUsd(64));
        Decision d = limiter.acquire(List.of(claim)).result();
        reservation.claimed(64, List.of(new Reservation.Charged(claim, d.states().get(0), limiter)));
      }
      boolean served = random.nextInt(10) > 0;
      reservation.close(served);
      long expected = served ? (long) Math.ceil(price.cost(input, output, cached, inInput) * 1_000_000 - 1e-9) : 0;
      assertThat(used(limiter, money)).as("round %d: %s in %d out %d cached %d (%s)", round, price, input, output, cached, inInput)
          .isEqualTo(expected);
    }
  }

  @Test
  void aRequestThatDoesNotFitTheBudgetIsRefusedAsABudget() {
    LocalLimiter limiter = new LocalLimiter(() -> 1_000_000L);
    PriceTable.Price price = new PriceTable.Price(1000, 2000, 100);
    // $0.05: a 10-token prompt with 20 to come reserves 50,000: it fits once
    ChargePlan plan = ChargePlan.of(CALLER, policy(50_000), "m", 10, 20, null, 1, price);
    assertThat(plan.user().get(0).cost()).isEqualTo(50_000);
    assertThat(limiter.acquire(plan.user()).result().allowed()).isTrue();
    Decision second = limiter.acquire(plan.user()).result();
    assertThat(second.allowed()).isFalse();
    assertThat(LimitStage.budgetRefused(plan.user(), second)).isTrue();
    // a token limit refusing is not a budget refusing
    LimitsConfig.Limits tokens = new LimitsConfig.Limits(null, new LimitsConfig.Window(10, Duration.ofMinutes(1)), null, null, null);
    LimitsConfig.Policy p = new LimitsConfig.Policy("q", tokens, null, List.of(), 100, LimitsConfig.OnRedisFailure.LOCAL,
        Duration.ofMinutes(1));
    ChargePlan tokenPlan = ChargePlan.of(CALLER, p, "m", 10, 20, null, 1, price);
    Decision refused = limiter.acquire(tokenPlan.user()).result();
    assertThat(refused.allowed()).isFalse();
    assertThat(LimitStage.budgetRefused(tokenPlan.user(), refused)).isFalse();
  }
}
