package io.portcullis.ingress;

import io.portcullis.forward.Endpoint;
import io.portcullis.forward.ModelRoute;
import io.portcullis.forward.StreamTimings;
import io.portcullis.forward.Target;
import io.portcullis.sse.SseEventHook;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The state one request gathers on its way through the pipeline: each stage reads what earlier
 * stages set and adds its own. One typed object instead of loose keys in the routing context.
 */
public final class Exchange {

  private static final String KEY = Exchange.class.getName();

  private final String requestId;
  private final long startNanos;
  private final GatewaySnapshot snapshot;
  private final Endpoint endpoint;
  private Buffer rawBody;
  private JsonObject body;
  private String model;
  private boolean stream;
  private ModelRoute route;
  private Target target;
  private int attempts;
  private GatewayError error;
  private SseEventHook hook = SseEventHook.NONE;
  private java.util.function.UnaryOperator<Buffer> bodyFilter = java.util.function.UnaryOperator.identity();
  private final StreamTimings timings = new StreamTimings();
  private io.portcullis.auth.Principal principal;
  private io.portcullis.limit.Reservation reservation;
  private final io.portcullis.limit.Usage usage = new io.portcullis.limit.Usage();

  public Exchange(String requestId, long startNanos, GatewaySnapshot snapshot, Endpoint endpoint) {
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.snapshot = snapshot;
    this.endpoint = endpoint;
  }

  static void attach(RoutingContext ctx, Exchange exchange) {
    ctx.put(KEY, exchange);
  }

  /** The exchange of a request that went through {@link RequestStart}. */
  public static Exchange of(RoutingContext ctx) {
    Exchange ex = ctx.get(KEY);
    if (ex == null) {
      throw new IllegalStateException("pipeline misassembled: no exchange on the request");
    }
    return ex;
  }

  static Exchange find(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  public String requestId() {
    return requestId;
  }

  public long startNanos() {
    return startNanos;
  }

  public GatewaySnapshot snapshot() {
    return snapshot;
  }

  /** The model endpoint called, or null for other paths. */
  public Endpoint endpoint() {
    return endpoint;
  }

  public Buffer rawBody() {
    return rawBody;
  }

  void rawBody(Buffer rawBody) {
    this.rawBody = rawBody;
  }

  public JsonObject body() {
    return body;
  }

  void parsed(JsonObject body, String model, boolean stream) {
    this.body = body;
    this.model = model;
    this.stream = stream;
  }

  public String model() {
    return model;
  }

  public boolean stream() {
    return stream;
  }

  public ModelRoute route() {
    return route;
  }

  public void route(ModelRoute route) {
    this.route = route;
  }

  public Target target() {
    return target;
  }

  /** Records the target being tried; counts attempts for failover accounting. */
  public void attempt(Target target) {
    this.target = target;
    if (this.attempts++ == 0) {
      upstreamStartNanos = System.nanoTime();
    }
  }

  private long upstreamStartNanos;

  /** When the first upstream attempt started, or 0 if none did. */
  public long upstreamStartNanos() {
    return upstreamStartNanos;
  }

  public int attempts() {
    return attempts;
  }

  public GatewayError error() {
    return error;
  }

  public void error(GatewayError error) {
    this.error = error;
  }

  /** The per-event hook of a streamed response (the scrubber plugs in here). */
  public SseEventHook hook() {
    return hook;
  }

  public void hook(SseEventHook hook) {
    this.hook = hook;
  }

  /** Applied to every whole (non-streamed) response body before it reaches the client. */
  public java.util.function.UnaryOperator<Buffer> bodyFilter() {
    return bodyFilter;
  }

  public void bodyFilter(java.util.function.UnaryOperator<Buffer> bodyFilter) {
    this.bodyFilter = bodyFilter;
  }

  public StreamTimings timings() {
    return timings;
  }

  /** The verified caller (set by the authentication stage). */
  public io.portcullis.auth.Principal principal() {
    return principal;
  }

  public void principal(io.portcullis.auth.Principal principal) {
    this.principal = principal;
  }

  /** What the limiter charged this request (settled when usage is known), or null. */
  public io.portcullis.limit.Reservation reservation() {
    return reservation;
  }

  public void reservation(io.portcullis.limit.Reservation reservation) {
    this.reservation = reservation;
  }

  /** The token usage the response reports as it goes (for settlement and the token metrics). */
  public io.portcullis.limit.Usage usage() {
    return usage;
  }

  private String limitVerdict;
  private int redactions;

  /** What the limiter decided ({@code allowed}, {@code denied}, {@code unavailable}) and who ({@code redis}, {@code local}...). */
  public void limitVerdict(String outcome, String mode) {
    this.limitVerdict = outcome + ':' + mode;
  }

  /** The limiter's verdict, or null when no limit applied. */
  public String limitVerdict() {
    return limitVerdict;
  }

  /** One redaction made in this exchange's request or response. */
  public void redacted() {
    redactions++;
  }

  public int redactions() {
    return redactions;
  }

  private String completionText;

  /** The answer's text, kept only when the access log shows or hashes it. */
  public void completionText(String text) {
    this.completionText = text;
  }

  public String completionText() {
    return completionText;
  }

  private String guardVerdict;

  /** What a guard decided about this request ({@code validation:<code>}, {@code injection:flag:<category>}), or null. */
  public void guardVerdict(String verdict) {
    this.guardVerdict = verdict;
  }

  public String guardVerdict() {
    return guardVerdict;
  }
}
