package io.portcullis.forward;

import io.netty.channel.ConnectTimeoutException;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.GatewayError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * What a provider's failure becomes: the gateway error the client gets (and failover reads), and
 * what is logged of a provider's error body for the operator (never the raw body; the log layer
 * redacts it like every line, since providers quote refused keys in their messages).
 */
final class UpstreamErrors {

  /** Most of a provider's error body that is read (it says why). */
  static final int ERROR_BODY_READ = 1024;
  /** Most characters of a provider's error message that are logged. */
  private static final int ERROR_MESSAGE_LOGGED = 300;

  private UpstreamErrors() {}

  /** Whether an answer with this status fails the attempt over (nothing of it reaches the client). */
  static boolean failsOver(int status) {
    return status == 429 || status >= 500 || status == 401 || status == 403;
  }

  /** The error of a status that fails over. */
  static GatewayError ofStatus(HttpClientResponse res) {
    int status = res.statusCode();
    if (status == 429) {
      return new GatewayError(ErrorKind.RATE_LIMITED, "upstream_rate_limited",
          "the model provider is rate limiting requests; retry later", retryAfter(res));
    }
    if (status >= 500) {
      return GatewayError.upstream("upstream_error", "the model provider failed (status " + status + ")");
    }
    return GatewayError.upstream("upstream_auth_failed", "the model provider refused the gateway's credentials");
  }

  static GatewayError connect(Throwable cause) {
    if (cause instanceof TimeoutException || cause instanceof ConnectTimeoutException
        || String.valueOf(cause.getMessage()).contains("timed out")) {
      return GatewayError.timeout("upstream_connect_timeout", "could not connect to the model provider in time");
    }
    if (cause instanceof ConnectException) {
      return GatewayError.upstream("upstream_unreachable", "could not connect to the model provider");
    }
    return GatewayError.upstream("upstream_unreachable", "the connection to the model provider failed");
  }

  private static long retryAfter(HttpClientResponse res) {
    String value = res.getHeader("retry-after");
    if (value == null) {
      return 1;
    }
    try {
      return Math.max(1, (long) Math.ceil(Double.parseDouble(value.trim())));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * What is logged of an error body: the provider's error type, code and message (cut), not the
   * raw body; a body that is not a provider error shows as its size only.
   */
  static String summary(Buffer body) {
    try {
      JsonObject json = new JsonObject(body);
      JsonObject error = json.getValue("error") instanceof JsonObject e ? e : json;
      StringBuilder out = new StringBuilder();
      for (String field : new String[] {"type", "code"}) {
        if (error.getValue(field) instanceof String v) {
          out.append(field).append('=').append(v.length() > 64 ? v.substring(0, 64) : v).append(' ');
        }
      }
      if (error.getValue("message") instanceof String m) {
        out.append("message=").append(m.length() > ERROR_MESSAGE_LOGGED ? m.substring(0, ERROR_MESSAGE_LOGGED) + "..." : m);
      }
      return out.isEmpty() ? "a JSON body without an error object" : out.toString().replace('\n', ' ');
    } catch (RuntimeException e) {
      return "a body of " + body.length() + " bytes that is not JSON" + (body.length() >= ERROR_BODY_READ ? " (or longer)" : "");
    }
  }
}
