package io.portcullis.limit;

import io.portcullis.config.LimitsConfig;
import io.portcullis.config.PriceTable;
import io.portcullis.ingress.Principal;
import java.util.ArrayList;
import java.util.List;

/**
 * What one request is charged under its policy: the caller's charges (with the matching per-model
 * limits, under the caller's own hash tag: still one call) and the team's (under the team's tag).
 * Keys carry hash tags so that everything one call touches lives in one Redis Cluster slot.
 *
 * @param user the caller's charges, in the order their states come back
 * @param team the team's charges, empty without a team limit
 * @param denyKey the deny cache's key: per caller and model entry (one model's limit spent leaves the others)
 */
record ChargePlan(List<Charge> user, List<Charge> team, String denyKey) {

  private static final long DAY_MS = 24L * 3600 * 1000;

  /**
   * @param member the stream's place among the concurrent ones, or null when it is not a stream
   * @param factor below 1 for a caller flagged for anomalous usage: its limits are tightened
   * @param price the model's price, which budgets in money reserve at (null: they reserve nothing)
   */
  static ChargePlan of(Principal p, LimitsConfig.Policy policy, String model, long prompt, long completion, String member,
      double factor, PriceTable.Price price) {
    long lease = policy.concurrencyLease().toMillis();
    long money = microUsd(price, prompt, completion);
    String caller = "rl:{" + tag(p.subject()) + "}:" + policy.name() + ":";
    List<Charge> user = charges(caller, "", policy.user(), prompt, completion, money, member, lease);
    int entry = policy.modelEntry(model);
    LimitsConfig.ModelLimits perModel = entry < 0 ? null : policy.models().get(entry);
    if (perModel != null) {
      user.addAll(charges(caller + "model:" + tag(perModel.pattern()) + ":", "model_", perModel.limits(), prompt, completion,
          money, member, lease));
    }
    if (factor < 1) {
      user.replaceAll(c -> c.withLimit(Math.max(1, (long) (c.limit() * factor)),
          c.burst() == 0 ? 0 : Math.max(1, (long) (c.burst() * factor))));
    }
    List<Charge> team = policy.team() == null || p.team() == null ? List.of()
        : charges("rl:{team:" + tag(p.team()) + "}:" + policy.name() + ":", "team_", policy.team(), prompt, completion, money,
            member, lease);
    return new ChargePlan(user, team, perModel == null ? caller : caller + "model:" + perModel.pattern());
  }

  /** Every charge, the caller's then the team's (the order of the limit headers). */
  List<Charge> all() {
    List<Charge> all = new ArrayList<>(user);
    all.addAll(team);
    return all;
  }

  /** Hash tags must not be broken by the name they carry. */
  private static String tag(String name) {
    return name.replace('{', '_').replace('}', '_');
  }

  /**
   * What tokens cost in millionths of a dollar, rounded up (a price per million tokens is a price
   * in millionths of a dollar per token); 0 without a price.
   */
  static long microUsd(PriceTable.Price price, long prompt, long completion) {
    if (price == null) {
      return 0;
    }
    return (long) Math.ceil(Math.max(0, prompt) * price.input() + Math.max(0, completion) * price.output() - 1e-9);
  }

  private static List<Charge> charges(String prefix, String kindPrefix, LimitsConfig.Limits l, long prompt, long completion,
      long money, String member, long leaseMs) {
    long tokens = prompt + completion;
    List<Charge> out = new ArrayList<>(4);
    if (l.concurrent() != null && member != null) {
      out.add(Charge.concurrent(prefix + "concurrent", kindPrefix + "concurrent", l.concurrent(), leaseMs, member));
    }
    if (l.requests() != null) {
      LimitsConfig.Window w = l.requests();
      out.add(new Charge(prefix + "requests", kindPrefix + "requests", w.limit(), w.window().toMillis(), 1, null,
          w.burst() == null ? 0 : w.burst()));
    }
    window(out, prefix, kindPrefix, "tokens", l.tokens(), tokens);
    window(out, prefix, kindPrefix, "input_tokens", l.inputTokens(), prompt);
    window(out, prefix, kindPrefix, "output_tokens", l.outputTokens(), completion);
    if (l.dailyTokens() != null) {
      out.add(new Charge(prefix + "tokens_day", kindPrefix + "tokens_day", l.dailyTokens(), DAY_MS, tokens));
    }
    if (l.monthlyTokens() != null) {
      out.add(new Charge(prefix + "tokens_month", kindPrefix + "tokens_month", l.monthlyTokens(), 30 * DAY_MS, tokens));
    }
    if (l.dailyMicroUsd() != null) {
      out.add(new Charge(prefix + "usd_day", kindPrefix + "usd_day", l.dailyMicroUsd(), DAY_MS, money));
    }
    if (l.monthlyMicroUsd() != null) {
      out.add(new Charge(prefix + "usd_month", kindPrefix + "usd_month", l.monthlyMicroUsd(), 30 * DAY_MS, money));
    }
    return out;
  }

  private static void window(List<Charge> out, String prefix, String kindPrefix, String name, LimitsConfig.Window w, long cost) {
    if (w != null) {
      out.add(new Charge(prefix + name, kindPrefix + name, w.limit(), w.window().toMillis(), cost));
    }
  }
}
