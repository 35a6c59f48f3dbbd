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
 * into charges — one request, and the tokens reserved (prompt counted + max_tokens) — decided in one
 * limiter call. Every limited response carries the limit headers; a denial is 429 with
 * {@code Retry-After}. A caller refused is remembered until its retry time (at most
 * {@value #MAX_DENY_MS} ms) and refused again without asking Redis.
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
  private final Map<String, long[]> denied = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > DENY_CACHE_SIZE;
    }
  };

  /**
   * @param shared the Redis limiter, or null when no Redis is configured
   * @param local the in-process limiter of this process
   */
  public LimitStage(Limiter shared, Limiter local) {
    this.shared = shared;
    this.local = local;
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
    String caller = "rl:{" + p.subject().replace('{', '_').replace('}', '_') + "}:" + policy.name() + ":";
    List<Charge> charges = new ArrayList<>(2);
    if (policy.requests() != null) {
      charges.add(new Charge(caller + "requests", "requests", policy.requests().limit(), policy.requests().window().toMillis(), 1));
    }
    long prompt = 0;
    if (policy.tokens() != null) {
      prompt = TokenCounter.prompt(ex.endpoint(), ex.body());
      long reserve = prompt + TokenCounter.maxCompletion(ex.endpoint(), ex.body(), policy.defaultMaxTokens());
      charges.add(new Charge(caller + "tokens", "tokens", policy.tokens().limit(), policy.tokens().window().toMillis(), reserve));
    }
    long now = System.nanoTime();
    long[] refused = denied.get(caller);
    long tokenCost = policy.tokens() == null ? 0 : charges.get(charges.size() - 1).cost();
    // refused again without asking: while the request limit is spent, or for a token cost no smaller
    // than one already refused (a smaller request may still fit, so it is asked)
    if (refused != null && refused[0] > now && (refused[2] == 1 || tokenCost >= refused[1])) {
      deny(ctx, (refused[0] - now) / 1_000_000);
      return;
    }
    long countedPrompt = prompt;
    decide(charges, policy, limits.expectedInstances(), now).onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponder.respond(ctx, GatewayError.of(ErrorKind.UNAVAILABLE, "rate_limiter_unavailable",
            "the rate limiter cannot be reached and this limit does not admit requests without it; try again shortly"));
        return;
      }
      Decision d = ar.result();
      RateLimitHeaders.put(ctx.response().headers(), charges, d);
      if (!d.allowed()) {
        long wait = Math.min(d.retryAfterMs(), MAX_DENY_MS);
        boolean requestsSpent = policy.requests() != null && d.states().get(0).remaining() < 1;
        denied.put(caller, new long[] {System.nanoTime() + wait * 1_000_000,
            policy.tokens() == null ? Long.MAX_VALUE : tokenCost, requestsSpent ? 1 : 0});
        deny(ctx, d.retryAfterMs());
        return;
      }
      boolean strip = policy.tokens() != null && askForUsage(ex);
      ex.reservation(new Reservation(charges, d, d.mode().equals("redis") ? shared : local, countedPrompt, strip));
      ctx.next();
    });
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
    return shared.acquire(charges).map(d -> {
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
