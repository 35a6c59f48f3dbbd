package io.portcullis.admin;

import io.portcullis.auth.KeyActions;
import io.portcullis.config.Durations;
import io.portcullis.format.OpenAiChat;
import io.portcullis.ingress.ErrorKind;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * What an admin call reads and answers: the body's fields, each checked and refused by name (400
 * with {@code param}), and the answers, an action's result or its refusal as an OpenAI-style error.
 * A reader that refuses has answered: its caller returns when the response has ended.
 */
final class AdminCalls {

  /** A body over this is refused (413) before it is read whole. */
  static final long MAX_BODY = 64 * 1024;

  private AdminCalls() {}

  static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject o = ctx.body().length() > 0 ? ctx.body().asJsonObject() : null;
      if (o != null) {
        return o;
      }
    } catch (DecodeException | ClassCastException e) {
      // said below
    }
    error(ctx, 400, "invalid_json", null, "the body must be a JSON object");
    return null;
  }

  static String text(RoutingContext ctx, JsonObject body, String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null && !required) {
      return null;
    }
    if (!(v instanceof String s) || s.isEmpty()) {
      fieldError(ctx, field, "must be a non-empty string");
      return null;
    }
    return s;
  }

  static List<String> strings(RoutingContext ctx, JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof JsonArray a && a.stream().allMatch(x -> x instanceof String)) {
      return a.stream().map(String.class::cast).toList();
    }
    fieldError(ctx, field, "must be a list of strings");
    return null;
  }

  /** An instant, or a duration from now ({@code 30d}); null when absent. */
  static Instant instant(RoutingContext ctx, JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        Duration d = Durations.parse(s);
        if (d != null && !d.isZero()) {
          return Instant.now().plus(d);
        }
      }
    }
    fieldError(ctx, field, "must be an instant (2027-01-31T00:00:00Z) or a duration from now (30d)");
    return null;
  }

  static Integer integer(RoutingContext ctx, String param, int fallback, int min, int max) {
    String v = ctx.queryParams().get(param);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    error(ctx, 400, "invalid_field", param, param + ": must be a whole number from " + min + " to " + max);
    return null;
  }

  static LocalDate day(RoutingContext ctx, String param, LocalDate fallback) {
    String v = ctx.queryParams().get(param);
    if (v == null) {
      return fallback;
    }
    try {
      return LocalDate.parse(v.length() > 10 ? v.substring(0, 10) : v);
    } catch (DateTimeParseException e) {
      error(ctx, 400, "invalid_field", param, param + ": must be a date, 2026-12-01 (UTC days)");
      return null;
    }
  }

  static void fieldError(RoutingContext ctx, String field, String message) {
    if (!ctx.response().ended()) {
      error(ctx, 400, "invalid_field", field, field + ": " + message);
    }
  }

  /** The action's result, or its refusal with the status and field it names; a store failure is a 503. */
  static void reply(RoutingContext ctx, int status, AsyncResult<?> ar) {
    if (ctx.response().ended()) {
      return;
    }
    if (ar.succeeded()) {
      Object r = ar.result();
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(r instanceof JsonObject o ? o.toBuffer() : Buffer.buffer(String.valueOf(r)));
    } else if (ar.cause() instanceof KeyActions.Refused r) {
      error(ctx, r.status(), r.status() == 404 ? "not_found" : r.status() == 409 ? "conflict" : "invalid_field", r.field(), r.getMessage());
    } else if (ar.cause() instanceof IllegalArgumentException e) {
      error(ctx, 400, "invalid_field", null, e.getMessage());
    } else {
      error(ctx, 503, "store_unavailable", null, "the key store or the audit trail cannot be reached; try again shortly");
    }
  }

  /** What a handler threw, or a body over the limit: said as JSON, never a stack trace. */
  static void failed(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.failure() instanceof KeyActions.Refused r) {
      reply(ctx, 200, Future.failedFuture(r));
    } else if (ctx.statusCode() == 413) {
      error(ctx, 413, "body_too_large", null, "the body is over " + MAX_BODY + " bytes");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error(ctx, ctx.statusCode(), "invalid_request", null, "the request cannot be read");
    } else {
      error(ctx, 503, "admin_unavailable", null, "the admin API could not complete this call; try again shortly");
    }
  }

  /** The OpenAI error shape, with {@code param} naming the field at fault (or null). */
  static void error(RoutingContext ctx, int status, String code, String param, String message) {
    JsonObject body = OpenAiChat.openAiError(ErrorKind.ofStatus(status).type(), code, message);
    body.getJsonObject("error").put("param", param);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
