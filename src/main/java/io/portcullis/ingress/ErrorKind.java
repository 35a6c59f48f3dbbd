package io.portcullis.ingress;

/** The gateway's errors, each mapped once to an HTTP status and an OpenAI error type. */
public enum ErrorKind {
  INVALID_REQUEST(400, "invalid_request_error"),
  AUTHENTICATION(401, "authentication_error"),
  PERMISSION(403, "permission_error"),
  NOT_FOUND(404, "not_found_error"),
  METHOD_NOT_ALLOWED(405, "invalid_request_error"),
  /** The client took too long to send its request. */
  REQUEST_TIMEOUT(408, "invalid_request_error"),
  /** The request asks for what the state of the thing forbids (rotating a revoked key). */
  CONFLICT(409, "invalid_request_error"),
  PAYLOAD_TOO_LARGE(413, "invalid_request_error"),
  RATE_LIMITED(429, "rate_limit_error"),
  /** A fault of the gateway itself; bad input never leads here. */
  INTERNAL(500, "internal_error"),
  UPSTREAM_ERROR(502, "upstream_error"),
  UNAVAILABLE(503, "service_unavailable"),
  UPSTREAM_TIMEOUT(504, "timeout_error");

  private final int status;
  private final String type;

  ErrorKind(int status, String type) {
    this.status = status;
    this.type = type;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The first kind with this status (for answers that know their status only). */
  public static ErrorKind ofStatus(int status) {
    for (ErrorKind k : values()) {
      if (k.status == status) {
        return k;
      }
    }
    return status >= 500 ? INTERNAL : INVALID_REQUEST;
  }
}
