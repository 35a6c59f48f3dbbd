package io.portcullis.limit;

import io.portcullis.auth.Principal;
import io.portcullis.config.LimitsConfig;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The limit stage, after the model is authorized: the caller's policy (named by its role) turns
 * into charges — one request, the tokens reserved (prompt counted + max_tokens) against the window
 * limit and the daily and monthly quotas, and a place among the concurrent streams — decided in one
 * limiter call for the caller and, in parallel, one for its team (the side that admitted is refunded
 * if the other refused). Every limited response carries the limit headers; a denial is 429 with
 * {@code Retry-After}. A caller refused is remembered until its retry time (at most
 * {@value #MAX_DENY_MS} ms) and refused again without asking Redis. When the exchange ends, however
 * it ends, the reservation is settled and the concurrency places are given back.
 *
 * <p>When Redis fails or misses its deadline, the policy decides: {@code local} (this instance
 * admits limit ÷ {@code limits.expected_instances}), {@code open} (admit), {@code closed} (503).
 * After {@value #BREAKER_FAILURES} failures in a row Redis is not asked for
 * {@value #BREAKER_OPEN_MS} ms, then one request probes it again; shared limiting resumes by itself.
 */
public final class LimitStage implements Handler<RoutingContext> {

  static final int BREAKER_FAILURES = 3;
  static final long BREAKER_OPEN_MS = 1000;
  static final long MAX_DENY_MS = 10_000;
  private static final int DENY_CACHE_SIZE = 10_000;

  private final Limiter shared;
  private final Limiter local;
  private int failures;
  private long breakerOpenUntilNanos;
  /** A refusal remembered: until when, for which token cost, and the headers it was answered with. */
  private record Denied(long untilNanos, long prompt, long completion, boolean requestsSpent, List<Charge> charges,
      Decision decision) {}

  private final Map<String, Denied> denied = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Denied> eldest) {
      return size() > DENY_CACHE_SIZE;
    }
  };

  /**
   * @param shared the Redis limiter, or null when no Redis is configured
   * @param local the in-process limiter of this process
   */
  private final LimitMetrics metrics;
  private final io.portcullis.observe.UsageAnomalies anomalies;

  public LimitStage(Limiter shared, Limiter local, LimitMetrics metrics, io.portcullis.observe.UsageAnomalies anomalies) {
    this.shared = shared;
    this.local = local;
    this.metrics = metrics;
    this.anomalies = anomalies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    Principal p = ex.principal();
    String name = p == null ? null : ex.snapshot().auth().policy().limit(p);
    LimitsConfig limits = ex.snapshot().config().limits();
    LimitsConfig.Policy policy = name == null ? null : limits.policies().get(name);
    if (policy == null) {
      ctx.next();
      return;
    }
    boolean countsTokens = policy.countsTokens();
    if (!countsTokens) {
      decide(ctx, ex, p, policy, limits, false, 0);
    } else if (ex.rawBody() != null && ex.rawBody().length() > INLINE_COUNT_BYTES) {
      // a big prompt is tokenized on a worker: milliseconds of CPU do not belong on an event loop
      ctx.vertx().executeBlocking(() -> TokenCounter.prompt(ex.endpoint(), ex.body()), false)
          .onSuccess(prompt -> decide(ctx, ex, p, policy, limits, true, prompt))
          .onFailure(ctx::fail);
    } else {
      decide(ctx, ex, p, policy, limits, true, TokenCounter.prompt(ex.endpoint(), ex.body()));
    }
  }

  /** Prompts up to this size are counted inline (microseconds); bigger ones on a worker. */
  static final int INLINE_COUNT_BYTES = 32 * 1024;

  private void decide(RoutingContext ctx, Exchange ex, Principal p, LimitsConfig.Policy policy, LimitsConfig limits,
      boolean countsTokens, long prompt) {
    long completion = countsTokens ? TokenCounter.maxCompletion(ex.endpoint(), ex.body(), policy.defaultMaxTokens()) : 0;
    long tokens = prompt + completion;
    String caller = "rl:{" + tag(p.subject()) + "}:" + policy.name() + ":";
    // a place among the concurrent streams is held under an id of the gateway's own (a client's
    // request id could be sent twice to share one place)
    String member = ex.stream() ? Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ex.requestId() : null;
    long lease = policy.concurrencyLease().toMillis();
    List<Charge> userCharges = charges(caller, "", policy.user(), prompt, completion, member, lease);
    // a caller flagged for anomalous usage runs on tightened limits while the flag cools down
    double factor = anomalies.limitFactor(p.subject(), ex.snapshot().config().observe().anomaly());
    int model = policy.modelEntry(ex.model());
    LimitsConfig.ModelLimits perModel = model < 0 ? null : policy.models().get(model);
    if (perModel != null) {
      // per-model counters sit under the caller's hash tag: still one call
      userCharges.addAll(charges(caller + "model:" + tag(perModel.pattern()) + ":", "model_", perModel.limits(), prompt,
          completion, member, lease));
    }
    // the deny cache remembers a refusal per caller and model entry (one model's limit spent leaves the others)
    String deniedKey = perModel == null ? caller : caller + "model:" + perModel.pattern();
    if (factor < 1) {
      userCharges.replaceAll(c -> c.withLimit(Math.max(1, (long) (c.limit() * factor)),
          c.burst() == 0 ? 0 : Math.max(1, (long) (c.burst() * factor))));
    }
    List<Charge> teamCharges = policy.team() == null || p.team() == null ? List.of()
        : charges("rl:{team:" + tag(p.team()) + "}:" + policy.name() + ":", "team_", policy.team(), prompt, completion, member,
            lease);
    long now = System.nanoTime();
    Denied refused = denied.get(deniedKey);
    // refused again without asking: while the request limit is spent, or for token costs no smaller
    // than those already refused (a smaller request may still fit, so it is asked)
    if (refused != null && refused.untilNanos() > now
        && (refused.requestsSpent() || (prompt >= refused.prompt() && completion >= refused.completion()))) {
      RateLimitHeaders.put(ctx.response().headers(), refused.charges(), refused.decision());
      metrics.decided(policy.name(), "cache", "denied");
      ex.limitVerdict("denied", "cache");
      deny(ctx, (refused.untilNanos() - now) / 1_000_000);
      return;
    }
    // the caller's counters and the team's live under different hash tags (different Cluster
    // slots): two calls in parallel, and the side that admitted is refunded if the other refused
    Future<Decision> user = userCharges.isEmpty() ? Future.succeededFuture(allowAll()) : decide(userCharges, policy, limits.expectedInstances(), now);
    Future<Decision> team = teamCharges.isEmpty() ? Future.succeededFuture(allowAll()) : decide(teamCharges, policy, limits.expectedInstances(), now);
    Future.join(user, team).onComplete(ar -> {
      if (user.failed() || team.failed()) {
        refund(userCharges, user);
        refund(teamCharges, team);
        metrics.decided(policy.name(), "closed", "unavailable");
        ex.limitVerdict("unavailable", "closed");
        ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.UNAVAILABLE, "rate_limiter_unavailable",
            "the rate limiter cannot be reached and this limit does not admit requests without it; try again shortly"));
        return;
      }
      Decision u = user.result();
      Decision t = team.result();
      List<Charge> all = new ArrayList<>(userCharges);
      all.addAll(teamCharges);
      List<Decision.State> states = new ArrayList<>(u.states());
      states.addAll(t.states());
      Decision combined = new Decision(u.allowed() && t.allowed(), 0, states, u.mode());
      String mode = teamCharges.isEmpty() || u.mode().equals(t.mode()) ? u.mode() : u.mode() + "+" + t.mode();
      metrics.decided(policy.name(), mode, combined.allowed() ? "allowed" : "denied");
      ex.limitVerdict(combined.allowed() ? "allowed" : "denied", mode);
      RateLimitHeaders.put(ctx.response().headers(), all, combined);
      if (!u.allowed() || !t.allowed()) {
        if (u.allowed()) {
          refund(userCharges, user);
        }
        if (t.allowed()) {
          refund(teamCharges, team);
        }
        long retry = Math.max(u.allowed() ? 0 : u.retryAfterMs(), t.allowed() ? 0 : t.retryAfterMs());
        boolean requestsSpent = false;
        for (int i = 0; i < all.size(); i++) {
          requestsSpent |= all.get(i).kind().endsWith("requests") && states.get(i).remaining() < 1;
        }
        denied.put(deniedKey, new Denied(System.nanoTime() + Math.min(retry, MAX_DENY_MS) * 1_000_000,
            countsTokens ? prompt : Long.MAX_VALUE, countsTokens ? completion : Long.MAX_VALUE, requestsSpent, all, combined));
        deny(ctx, retry);
        return;
      }
      List<Reservation.Charged> charged = new ArrayList<>();
      for (int i = 0; i < userCharges.size(); i++) {
        charged.add(new Reservation.Charged(userCharges.get(i), u.states().get(i), limiter(u)));
      }
      for (int i = 0; i < teamCharges.size(); i++) {
        charged.add(new Reservation.Charged(teamCharges.get(i), t.states().get(i), limiter(t)));
      }
      boolean strip = countsTokens && askForUsage(ex);
      Reservation reservation = new Reservation(charged, prompt, strip, ex.usage());
      ex.reservation(reservation);
      // however the exchange ends (served, refused later, client gone): settle and give places back
      ctx.addEndHandler(done -> reservation.finish());
      ctx.next();
    });
  }

  /** Hash tags must not be broken by the name they carry. */
  private static String tag(String name) {
    return name.replace('{', '_').replace('}', '_');
  }

  private static List<Charge> charges(String prefix, String kindPrefix, LimitsConfig.Limits l, long prompt, long completion,
      String member, long leaseMs) {
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
    return out;
  }

  private static final long DAY_MS = 24L * 3600 * 1000;

  private static void window(List<Charge> out, String prefix, String kindPrefix, String name, LimitsConfig.Window w, long cost) {
    if (w != null) {
      out.add(new Charge(prefix + name, kindPrefix + name, w.limit(), w.window().toMillis(), cost));
    }
  }

  private static Decision allowAll() {
    return new Decision(true, 0, List.of(), "none");
  }

  private Limiter limiter(Decision d) {
    return d.mode().equals("redis") ? shared : local;
  }

  /** Gives back what an admitting decision charged (the other side refused). */
  private void refund(List<Charge> charges, Future<Decision> decision) {
    if (decision.succeeded() && decision.result().allowed() && !decision.result().mode().equals("open")) {
      Decision d = decision.result();
      for (int i = 0; i < charges.size(); i++) {
        Charge c = charges.get(i);
        if (c.isConcurrency()) {
          limiter(d).release(c);
        } else {
          limiter(d).settle(c, d.states().get(i).window(), -c.cost());
        }
      }
    }
  }

  /**
   * An OpenAI stream reports its usage only when asked ({@code stream_options.include_usage}): the
   * gateway asks, and returns whether the client had not (then that extra chunk is dropped).
   */
  private static boolean askForUsage(Exchange ex) {
    if (!ex.stream() || ex.endpoint() != io.portcullis.forward.Endpoint.CHAT_COMPLETIONS) {
      return false;
    }
    io.vertx.core.json.JsonObject options = ex.body().getValue("stream_options") instanceof io.vertx.core.json.JsonObject o
        ? o : new io.vertx.core.json.JsonObject();
    if (Boolean.TRUE.equals(options.getValue("include_usage"))) {
      return false;
    }
    ex.body().put("stream_options", options.copy().put("include_usage", true));
    return true;
  }

  /** Redis when it answers; otherwise the policy's failure mode. A failed future means closed. */
  private Future<Decision> decide(List<Charge> charges, LimitsConfig.Policy policy, int instances, long now) {
    if (shared == null) {
      return local.acquire(charges);
    }
    if (now < breakerOpenUntilNanos) {
      return fallback(charges, policy, instances);
    }
    long started = System.nanoTime();
    return shared.acquire(charges).onComplete(ar -> metrics.redisCall(System.nanoTime() - started, ar.succeeded())).map(d -> {
      failures = 0;
      return d;
    }).recover(err -> {
      if (++failures >= BREAKER_FAILURES) {
        breakerOpenUntilNanos = System.nanoTime() + BREAKER_OPEN_MS * 1_000_000;
      }
      return fallback(charges, policy, instances);
    });
  }

  private Future<Decision> fallback(List<Charge> charges, LimitsConfig.Policy policy, int instances) {
    return switch (policy.onRedisFailure()) {
      case "open" -> Future.succeededFuture(open(charges));
      case "closed" -> Future.failedFuture("closed");
      default -> local.acquire(LocalLimiter.shared(charges, instances));
    };
  }

  private static Decision open(List<Charge> charges) {
    List<Decision.State> states = new ArrayList<>();
    for (Charge c : charges) {
      states.add(new Decision.State(c.limit(), c.windowMs(), -1));
    }
    return new Decision(true, 0, states, "open");
  }

  private static void deny(RoutingContext ctx, long retryMs) {
    long seconds = Math.max(1, (retryMs + 999) / 1000);
    ctx.response().putHeader("retry-after", String.valueOf(seconds));
    ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.RATE_LIMITED, "rate_limit_exceeded",
        "rate limit reached for your requests or tokens; retry after " + seconds + " s"));
  }
}
