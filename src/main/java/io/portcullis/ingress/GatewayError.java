package io.portcullis.ingress;

import io.portcullis.format.OpenAiChat;
import io.portcullis.format.WireFormat;
import io.vertx.core.json.JsonObject;

/**
 * An error the gateway answers with: a kind (status and type), a stable machine-readable code and
 * a message for humans. Messages never carry secrets or upstream internals.
 *
 * @param retryAfterSeconds sent as Retry-After when positive
 */
public record GatewayError(ErrorKind kind, String code, String message, long retryAfterSeconds) {

  public static GatewayError of(ErrorKind kind, String code, String message) {
    return new GatewayError(kind, code, message, 0);
  }

  public static GatewayError invalid(String code, String message) {
    return of(ErrorKind.INVALID_REQUEST, code, message);
  }

  public static GatewayError upstream(String code, String message) {
    return of(ErrorKind.UPSTREAM_ERROR, code, message);
  }

  public static GatewayError timeout(String code, String message) {
    return of(ErrorKind.UPSTREAM_TIMEOUT, code, message);
  }

  public int status() {
    return kind.status();
  }

  /** The OpenAI error shape: {@code {"error":{"message","type","param","code"}}}. */
  public JsonObject toJson() {
    return OpenAiChat.openAiError(kind.type(), code, message);
  }

  /** The error in the shape of the format the client speaks (Anthropic's on {@code /v1/messages}). */
  public JsonObject toJson(WireFormat format) {
    return format == null ? toJson() : format.errorBody(status(), kind.type(), code, message);
  }
}
