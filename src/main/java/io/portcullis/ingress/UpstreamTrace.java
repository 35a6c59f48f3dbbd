package io.portcullis.ingress;

import io.vertx.core.MultiMap;

/**
 * What the forwarder tells a request's trace of its calls upstream (present on an exchange only
 * when the request is traced): each attempt's span starts, and its context goes into that call's
 * headers ({@code traceparent}), so the provider's own spans join the caller's trace.
 */
public interface UpstreamTrace {

  Slot<UpstreamTrace> SLOT = Slot.named("upstream_trace");

  /** An attempt begins (the previous one's span ends): adds the trace context to its headers. */
  void attempt(MultiMap headers, String operation, String provider, String providerType, String model, String host, int port);

  /** The attempt's response began with this status. */
  void responded(int status);

  /** The attempt failed before or instead of an answer. */
  void failed(String errorCode);
}
