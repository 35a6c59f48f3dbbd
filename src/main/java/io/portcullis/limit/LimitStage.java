package io.portcullis.limit;

import io.portcullis.auth.Auth;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.LimitsConfig;
import io.portcullis.config.PriceTable;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.Principal;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.observe.UsageAnomalies;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The limit stage, after the model is authorized and resolved: the caller's policy (named by its
 * role) turns into charges ({@link ChargePlan}) — one request, the tokens reserved (prompt counted
 * + max_tokens) against the window limits and the daily and monthly quotas, and a place among the
 * concurrent streams — decided in one limiter call for the caller and, in parallel, one for its
 * team ({@link Decider}: Redis, its breaker and the failure modes); the side that admitted is
 * refunded if the other refused. Every limited response carries the limit headers; a denial is 429
 * with {@code Retry-After}, remembered in the {@link DenyCache}.
 *
 * <p>An admitted request keeps its {@link Reservation} on the exchange, and the response gets the
 * {@link StreamBudget} link (a stream claims more as it goes; the request's own {@code max_tokens}
 * is a ceiling, with or without a policy); when the exchange ends, however it ends, the reservation
 * is closed: this stage's end handler is the one place it is settled.
 */
public final class LimitStage implements Handler<RoutingContext> {

  /** Prompts up to this size are counted inline (microseconds); bigger ones on a worker. */
  static final int INLINE_COUNT_BYTES = 32 * 1024;

  private static final GatewayError UNAVAILABLE = GatewayError.of(ErrorKind.UNAVAILABLE, "rate_limiter_unavailable",
      "the rate limiter cannot be reached and this limit does not admit requests without it; try again shortly");

  private final Decider decider;
  private final DenyCache denied = new DenyCache();
  private final LimitMetrics metrics;
  private final UsageAnomalies anomalies;

  /**
   * @param shared the Redis limiter, or null when no Redis is configured
   * @param local the in-process limiter of this process
   */
  public LimitStage(Limiter shared, Limiter local, LimitMetrics metrics, UsageAnomalies anomalies) {
    this.decider = new Decider(shared, local, metrics);
    this.metrics = metrics;
    this.anomalies = anomalies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    LimitsConfig.Policy policy = policy(ex);
    if (policy == null) {
      StreamBudget.install(ex, ex.snapshot().config().limits(), metrics, 0, null, null);
      ctx.next();
    } else if (!policy.countsTokens()) {
      decide(ctx, ex, policy, false, 0);
    } else if (ex.rawBody() != null && ex.rawBody().length() > INLINE_COUNT_BYTES) {
      // a big prompt is tokenized on a worker: milliseconds of CPU do not belong on an event loop
      ctx.vertx().executeBlocking(() -> TokenCounter.prompt(ex.format(), ex.body()), false)
          .onSuccess(prompt -> decide(ctx, ex, policy, true, prompt))
          .onFailure(ctx::fail);
    } else {
      decide(ctx, ex, policy, true, TokenCounter.prompt(ex.format(), ex.body()));
    }
  }

  /** The caller's policy, named by its role; null when no limit applies. */
  private static LimitsConfig.Policy policy(Exchange ex) {
    Principal p = ex.principal();
    String name = p == null ? null : ex.snapshot().get(Auth.SLOT).policy().limit(p);
    return name == null ? null : ex.snapshot().config().limits().policies().get(name);
  }

  private void decide(RoutingContext ctx, Exchange ex, LimitsConfig.Policy policy, boolean countsTokens, long prompt) {
    long completion = countsTokens ? ex.format().maxCompletionTokens(ex.body(), policy.defaultMaxTokens()) : 0;
    Principal p = ex.principal();
    // a place among the concurrent streams is held under an id of the gateway's own (a client's
    // request id could be sent twice to share one place)
    String member = ex.stream() ? Long.toHexString(ThreadLocalRandom.current().nextLong()) + ex.requestId() : null;
    double factor = anomalies.limitFactor(p.subject(), ex.snapshot().config().observe().anomaly());
    PriceTable.Price price = policy.countsMoney() ? reservePrice(ex) : null;
    ChargePlan plan = ChargePlan.of(p, policy, ex.model(), prompt, completion, member, factor, price);
    long now = System.nanoTime();
    DenyCache.Denied refused = denied.find(plan.denyKey(), prompt, completion, now);
    if (refused != null) {
      metrics.decided(policy.name(), "cache", "denied");
      ex.limitVerdict("denied", "cache");
      deny(ctx, refused.charges(), refused.decision(), (refused.untilNanos() - now) / 1_000_000,
          (now - refused.atNanos()) / 1_000_000);
      return;
    }
    // the caller's counters and the team's live under different hash tags (different Cluster
    // slots): two calls in parallel, and the side that admitted is refunded if the other refused
    int instances = ex.snapshot().config().limits().expectedInstances();
    Future<Decision> user = decider.decide(plan.user(), policy, instances, now);
    Future<Decision> team = decider.decide(plan.team(), policy, instances, now);
    Future.join(user, team).onComplete(ar -> {
      if (user.failed() || team.failed()) {
        decider.refund(plan.user(), user);
        decider.refund(plan.team(), team);
        metrics.decided(policy.name(), "closed", "unavailable");
        ex.limitVerdict("unavailable", "closed");
        ErrorResponder.respond(ctx, UNAVAILABLE);
        return;
      }
      Decision u = user.result();
      Decision t = team.result();
      List<Decision.State> states = new ArrayList<>(u.states());
      states.addAll(t.states());
      boolean allowed = u.allowed() && t.allowed();
      Decision combined = new Decision(allowed, 0, states, u.mode());
      String mode = plan.team().isEmpty() || u.mode() == t.mode() ? u.mode().label() : u.mode().label() + "+" + t.mode().label();
      metrics.decided(policy.name(), mode, allowed ? "allowed" : "denied");
      ex.limitVerdict(allowed ? "allowed" : "denied", mode);
      if (!allowed) {
        decider.refund(plan.user(), user);
        decider.refund(plan.team(), team);
        long retry = Math.max(u.allowed() ? 0 : u.retryAfterMs(), t.allowed() ? 0 : t.retryAfterMs());
        denied.remember(plan.denyKey(), retry, countsTokens, prompt, completion, plan.all(), combined);
        deny(ctx, plan.all(), combined, retry, 0);
        return;
      }
      RateLimitHeaders.put(ctx.response().headers(), plan.all(), combined);
      admitted(ctx, ex, policy, plan, u, t, countsTokens, prompt, completion, price);
    });
  }

  /** The price a budget in money reserves at: the dearest of the model's targets (which answers is not known yet). */
  private static PriceTable.Price reservePrice(Exchange ex) {
    GatewayConfig c = ex.snapshot().config();
    List<String> upstream = c.upstreamModels(ex.model());
    return upstream.isEmpty() ? null : c.prices().highest(upstream);
  }

  /** Keeps the reservation on the exchange, arms the stream's budget, and closes the reservation when the exchange ends. */
  private void admitted(RoutingContext ctx, Exchange ex, LimitsConfig.Policy policy, ChargePlan plan, Decision u, Decision t,
      boolean countsTokens, long prompt, long completion, PriceTable.Price price) {
    List<Reservation.Charged> charged = new ArrayList<>();
    for (int i = 0; i < plan.user().size(); i++) {
      charged.add(new Reservation.Charged(plan.user().get(i), u.states().get(i), decider.limiter(u)));
    }
    for (int i = 0; i < plan.team().size(); i++) {
      charged.add(new Reservation.Charged(plan.team().get(i), t.states().get(i), decider.limiter(t)));
    }
    Reservation reservation = new Reservation(charged, prompt, completion, ex.usage(), price);
    ex.put(Reservation.SLOT, reservation);
    LimitsConfig limits = ex.snapshot().config().limits();
    if (countsTokens && ex.stream() && ex.format().askForStreamUsage(ex.body())) {
      ex.usageReportUnasked(); // the client did not ask for it: read, then dropped from the stream
    }
    Claims claims = countsTokens && ex.stream() && reservation.limitsCompletion()
        ? new Claims(decider, metrics, policy, limits.expectedInstances(), plan, reservation, limits.claimIncrement())
        : null;
    StreamBudget.install(ex, limits, metrics, prompt, reservation, claims);
    // the one settlement: however the exchange ends (served, refused later, client gone)
    ctx.addEndHandler(done -> reservation.close(ex.reachedProvider(), actualPrice(ex, price)));
    ctx.next();
  }

  /** The price of the model the provider was asked for, when a budget in money needs it. */
  private static PriceTable.Price actualPrice(Exchange ex, PriceTable.Price reserved) {
    return reserved == null || ex.upstreamModel() == null ? reserved : ex.snapshot().config().prices().of(ex.upstreamModel());
  }

  /**
   * A 429 whose message, Retry-After and RateLimit header give one number of seconds: a budget in
   * money that refused says so ({@code budget_exceeded}), any other limit {@code rate_limit_exceeded}.
   */
  private static void deny(RoutingContext ctx, List<Charge> charges, Decision decision, long retryMs, long elapsedMs) {
    long seconds = RateLimitHeaders.retrySeconds(retryMs);
    RateLimitHeaders.put(ctx.response().headers(), charges, decision, seconds, elapsedMs);
    ctx.response().putHeader("retry-after", String.valueOf(seconds));
    if (budgetRefused(charges, decision)) {
      ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.RATE_LIMITED, "budget_exceeded",
          "your budget in money is spent; it has room again in " + seconds + " s"));
      return;
    }
    ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.RATE_LIMITED, "rate_limit_exceeded",
        "rate limit reached for your requests or tokens; retry after " + seconds + " s"));
  }

  /** Whether a budget in money is among the limits that had no room for the request. */
  static boolean budgetRefused(List<Charge> charges, Decision decision) {
    for (int i = 0; i < charges.size() && i < decision.states().size(); i++) {
      Charge c = charges.get(i);
      if (c.tokens() == Charge.Tokens.MONEY && decision.states().get(i).remaining() < c.cost()) {
        return true;
      }
    }
    return false;
  }
}
