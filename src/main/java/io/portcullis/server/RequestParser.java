package io.portcullis.server;

import io.portcullis.config.GuardConfig;
import io.portcullis.ingress.Endpoint;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.observe.RequestMetrics;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Parses the JSON body and checks the few fields the gateway itself relies on (model, stream, the
 * endpoint's main input). Full schema validation is the guard's job.
 */
final class RequestParser implements Handler<RoutingContext> {

  private final RequestMetrics metrics;

  RequestParser(RequestMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    Object decoded;
    GuardConfig.Edge edge = ex.snapshot().config().guards().edge();
    try {
      decoded = ex.rawBody().length() == 0 ? null : ConstrainedJson.parse(ex.rawBody(), edge.maxJsonDepth(), edge.maxJsonStringChars());
    } catch (ConstrainedJson.LimitException e) {
      fail(ctx, "json_limits_exceeded", e.getMessage());
      return;
    } catch (DecodeException e) {
      fail(ctx, "invalid_json", "request body is not valid JSON");
      return;
    }
    if (!(decoded instanceof JsonObject body)) {
      fail(ctx, "invalid_body", "request body must be a JSON object");
      return;
    }
    Object model = body.getValue("model");
    if (!(model instanceof String name) || name.isBlank()) {
      fail(ctx, "missing_model", "'model' is required and must be a non-empty string");
      return;
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      fail(ctx, "invalid_stream", "'stream' must be true or false");
      return;
    }
    boolean streaming = Boolean.TRUE.equals(stream);
    Endpoint endpoint = ex.endpoint();
    if (streaming && !endpoint.streams()) {
      fail(ctx, "invalid_stream", endpoint.path() + " does not stream");
      return;
    }
    String problem = endpoint.format().missingInput(body);
    if (problem != null) {
      fail(ctx, "invalid_body", problem);
      return;
    }
    ex.parsed(body, name, streaming);
    if (streaming) {
      metrics.streamStarted(); // RequestStart's end handler counts it out
    }
    ctx.next();
  }

  private static void fail(RoutingContext ctx, String code, String message) {
    ErrorResponder.respond(ctx, GatewayError.invalid(code, message));
  }
}
