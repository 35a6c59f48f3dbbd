package io.portcullis.auth;

import io.portcullis.config.AuthConfig;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.Principal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Authentication, before the body is read: the credential ({@code Authorization: Bearer ...} or
 * {@code x-api-key}) is an API key when it starts with {@code pc-}, else a JWT. A caller without a
 * valid credential gets 401 with {@code WWW-Authenticate: Bearer}, or 429 once its address is past
 * the failure threshold (counted per client address, cluster-wide with Redis); a credential that
 * verifies is always accepted, whatever others did from the same address (a NAT, a balancer). A
 * valid caller whose roles do not include the endpoint gets 403, and so does a caller whose user or
 * team an administrator blocked.
 * The credential is never forwarded (upstream headers are built from scratch) nor logged.
 */
public final class AuthStage implements Handler<RoutingContext> {

  private final ApiKeyAuthenticator apiKeys;
  private final JwtAuthenticator jwt;
  private final KeyStore sharedKeys;
  private final AuthFailures failures;
  private final AuthMetrics metrics;
  private final Blocklist blocklist;

  public AuthStage(ApiKeyAuthenticator apiKeys, JwtAuthenticator jwt, KeyStore sharedKeys, AuthFailures failures,
      AuthMetrics metrics) {
    this(apiKeys, jwt, sharedKeys, failures, metrics, new Blocklist());
  }

  /** @param blocklist the users and teams blocked in Redis (those the key file blocks are in the snapshot) */
  public AuthStage(ApiKeyAuthenticator apiKeys, JwtAuthenticator jwt, KeyStore sharedKeys, AuthFailures failures,
      AuthMetrics metrics, Blocklist blocklist) {
    this.blocklist = blocklist;
    this.apiKeys = apiKeys;
    this.jwt = jwt;
    this.sharedKeys = sharedKeys;
    this.failures = failures;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    AuthConfig config = ex.snapshot().config().auth();
    Auth auth = ex.snapshot().get(Auth.SLOT);
    String ip = ex.clientAddress();
    if (!config.enabled()) {
      // no identity to tell callers apart: each client address is a caller, with the default roles
      ex.principal(new Principal("ip:" + ip, null, auth.policy().roles(List.of()), null, "none"));
      ctx.next();
      return;
    }
    String credential = credential(ctx);
    if (credential == null) {
      refuse(ctx, GatewayError.of(ErrorKind.AUTHENTICATION, "missing_credentials",
          "send an API key or a token: Authorization: Bearer <key>"));
      return;
    }
    Future<AuthOutcome> outcome;
    if (credential.startsWith(ApiKeyFormat.PREFIX)) {
      outcome = apiKeys.authenticate(credential, auth.keyFile(), config.redisKeys() ? sharedKeys : null, auth.policy());
    } else if (config.jwt() != null) {
      outcome = jwt.authenticate(credential, config.jwt(), auth.policy());
    } else {
      outcome = Future.succeededFuture(AuthOutcome.refused("invalid_api_key", "the API key is not valid"));
    }
    outcome.onComplete(ar -> {
      AuthOutcome result = ar.succeeded() ? ar.result()
          : AuthOutcome.unavailable("authentication failed inside the gateway; try again shortly");
      if (result.error() != null) {
        if (result.error().kind() != ErrorKind.AUTHENTICATION) {
          refuse(ctx, result.error());
          return;
        }
        GatewayError refused = result.error();
        failures.failed(ip, config.bruteForce()).onComplete(left -> {
          long ms = left.succeeded() ? left.result() : 0;
          if (ms > 0) {
            // past the threshold a failure says only "slow down", and when; never which part was wrong
            ctx.response().putHeader("retry-after", String.valueOf(Math.max(1, (ms + 999) / 1000)));
            refuse(ctx, GatewayError.of(ErrorKind.RATE_LIMITED, "too_many_failed_authentications",
                "too many failed authentications from this address; try again later"));
          } else {
            refuse(ctx, refused);
          }
        });
        return;
      }
      Principal p = result.principal();
      ex.principal(p);
      if (blocklist.blocks(p) || (auth.keyFile() != null && auth.keyFile().blocks(p))) {
        // an incident action: whatever the credential, this user or team is refused until unblocked
        refuse(ctx, GatewayError.of(ErrorKind.PERMISSION, "caller_blocked",
            "this user or team is blocked by the gateway's administrators"));
        return;
      }
      String endpoint = AccessPolicy.endpointName(ex.endpoint());
      if (!auth.policy().mayCall(p, endpoint)) {
        refuse(ctx, GatewayError.of(ErrorKind.PERMISSION, "endpoint_not_allowed",
            "your role does not allow " + endpoint));
        return;
      }
      ctx.next();
    });
  }

  /** The bearer credential, or the x-api-key header (the Anthropic SDKs' way), or null. */
  static String credential(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = authorization.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    String key = ctx.request().getHeader("x-api-key");
    return key == null || key.isBlank() ? null : key.trim();
  }

  private void refuse(RoutingContext ctx, GatewayError error) {
    if (error.kind() == ErrorKind.AUTHENTICATION || error.kind() == ErrorKind.RATE_LIMITED) {
      metrics.failed(error.code());
    }
    if (error.kind() == ErrorKind.AUTHENTICATION) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"portcullis\"");
    }
    boolean hasBody = ctx.request().getHeader("content-length") != null ? !"0".equals(ctx.request().getHeader("content-length"))
        : ctx.request().getHeader("transfer-encoding") != null;
    if (hasBody && !ctx.request().isEnded() && ctx.request().version() != HttpVersion.HTTP_2) {
      // the body was not read: the connection cannot carry another request after this answer
      ctx.response().putHeader("connection", "close");
    }
    ErrorResponder.respond(ctx, error);
  }
}
