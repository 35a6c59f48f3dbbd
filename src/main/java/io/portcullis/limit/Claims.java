package io.portcullis.limit;

import io.portcullis.config.LimitsConfig;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * How a stream that has spent its reservation gets more: a claim of {@code increment} tokens against
 * every limit of its admission that counts completion tokens, the caller's (with its per-model
 * limits) in one limiter call and the team's in another, exactly as the admission decided them:
 * Redis with the policy's failure mode, or this process's counters. Either side refusing refunds
 * the other.
 */
final class Claims {

  /** What became of a claim. */
  enum Outcome { GRANTED, REFUSED, BUDGET_SPENT, UNAVAILABLE }

  private final Decider decider;
  private final LimitMetrics metrics;
  private final LimitsConfig.Policy policy;
  private final int instances;
  private final Reservation reservation;
  private final long increment;
  private final List<Charge> user;
  private final List<Charge> team;

  Claims(Decider decider, LimitMetrics metrics, LimitsConfig.Policy policy, int instances, ChargePlan plan, Reservation reservation,
      long increment) {
    this.decider = decider;
    this.metrics = metrics;
    this.policy = policy;
    this.instances = instances;
    this.reservation = reservation;
    this.increment = increment;
    this.user = claimOf(plan.user(), increment, reservation);
    this.team = claimOf(plan.team(), increment, reservation);
  }

  /** A claim's charges: {@code increment} tokens, or what they cost against a budget in money. */
  private static List<Charge> claimOf(List<Charge> charges, long increment, Reservation reservation) {
    List<Charge> out = new ArrayList<>();
    for (Charge c : charges) {
      if (Reservation.claimable(c)) {
        out.add(c.withCost(c.tokens() == Charge.Tokens.MONEY ? reservation.claimMicroUsd(increment) : increment));
      }
    }
    return out;
  }

  long increment() {
    return increment;
  }

  /** Claims one increment; on success the reservation holds it (and settles it at the end). */
  Future<Outcome> claim() {
    long now = System.nanoTime();
    Future<Decision> u = decider.decide(user, policy, instances, now);
    Future<Decision> t = decider.decide(team, policy, instances, now);
    return Future.join(u, t).transform(ar -> {
      Outcome outcome;
      if (u.failed() || t.failed()) {
        decider.refund(user, u);
        decider.refund(team, t);
        outcome = Outcome.UNAVAILABLE;
      } else if (!u.result().allowed() || !t.result().allowed()) {
        decider.refund(user, u);
        decider.refund(team, t);
        boolean money = (!u.result().allowed() && LimitStage.budgetRefused(user, u.result()))
            || (!t.result().allowed() && LimitStage.budgetRefused(team, t.result()));
        outcome = money ? Outcome.BUDGET_SPENT : Outcome.REFUSED;
      } else {
        List<Reservation.Charged> charged = new ArrayList<>(user.size() + team.size());
        for (int i = 0; i < user.size(); i++) {
          charged.add(new Reservation.Charged(user.get(i), u.result().states().get(i), decider.limiter(u.result())));
        }
        for (int i = 0; i < team.size(); i++) {
          charged.add(new Reservation.Charged(team.get(i), t.result().states().get(i), decider.limiter(t.result())));
        }
        reservation.claimed(increment, charged);
        outcome = Outcome.GRANTED;
      }
      metrics.claimed(policy.name(), outcome.name().toLowerCase(java.util.Locale.ROOT));
      return Future.succeededFuture(outcome);
    });
  }
}
