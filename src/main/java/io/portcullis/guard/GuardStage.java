package io.portcullis.guard;

import io.portcullis.ingress.Principal;
import io.portcullis.config.AuthConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.GuardConfig;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The guard stage, after the model is authorized and before anything costs: the body is validated
 * against its endpoint's shape and the caller's limits (400 naming the field), then the text of user
 * and tool messages is screened for prompt injection (400 naming the category under {@code block};
 * counted and logged under {@code flag}). The rules of the caller's first role that has guard
 * settings apply, else the defaults.
 */
public final class GuardStage implements Handler<RoutingContext> {

  /** Screened text beyond this is screened on a worker (NFKC and a dozen patterns over it take a while). */
  static final int INLINE_SCREEN_CHARS = 64 * 1024;

  private final GuardMetrics metrics;

  public GuardStage(GuardMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    GatewayConfig config = ex.snapshot().config();
    if (!config.guards().enabled()) {
      ctx.next();
      return;
    }
    GuardConfig.RoleGuards rules = rulesFor(config, ex.principal());
    RequestValidator.Result result = RequestValidator.validate(ex.format(), ex.endpoint().path(), ex.body(), rules.validation());
    if (result.violation != null) {
      metrics.verdict("validation", result.violation.code(), "block");
      ex.guardVerdict("validation:" + result.violation.code());
      ErrorResponder.respond(ctx, GatewayError.invalid(result.violation.code(), result.violation.text()));
      return;
    }
    GuardConfig.Injection injection = rules.injection();
    if (injection.action() == GuardConfig.InjectionAction.OFF || result.screened.isEmpty()) {
      ctx.next();
      return;
    }
    long chars = 0;
    for (String s : result.screened) {
      chars += s.length();
    }
    if (chars > INLINE_SCREEN_CHARS) {
      ctx.vertx().executeBlocking(() -> InjectionScreen.screen(result.screened), false)
          .onSuccess(verdict -> decide(ctx, ex, injection, verdict))
          .onFailure(ctx::fail);
    } else {
      decide(ctx, ex, injection, InjectionScreen.screen(result.screened));
    }
  }

  private void decide(RoutingContext ctx, Exchange ex, GuardConfig.Injection injection, InjectionScreen.Verdict verdict) {
    if (verdict.score() < injection.threshold()) {
      ctx.next();
      return;
    }
    String category = verdict.top().label();
    metrics.verdict("injection", category, injection.action().label());
    ex.guardVerdict("injection:" + injection.action().label() + ":" + category);
    if (injection.action() == GuardConfig.InjectionAction.BLOCK) {
      ErrorResponder.respond(ctx, GatewayError.invalid("prompt_injection_detected",
          "the request was refused by the prompt-injection screen (category: " + category + ")"));
      return;
    }
    ctx.next();
  }

  /** The guard settings of the caller's first role (in config order) that has some; else the defaults. */
  static GuardConfig.RoleGuards rulesFor(GatewayConfig config, Principal p) {
    GuardConfig g = config.guards();
    if (p != null && !g.roles().isEmpty()) {
      for (AuthConfig.RoleConfig role : config.auth().roles()) {
        GuardConfig.RoleGuards r = g.roles().get(role.name());
        if (r != null && p.roles().contains(role.name())) {
          return r;
        }
      }
    }
    return new GuardConfig.RoleGuards(g.validation(), g.injection());
  }
}
