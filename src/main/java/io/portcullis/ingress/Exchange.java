package io.portcullis.ingress;

import io.portcullis.config.ProviderType;
import io.portcullis.format.UpstreamFormat;
import io.portcullis.format.WireFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The state one request gathers on its way through the pipeline: each stage reads what earlier
 * stages set and adds its own. One typed object instead of loose keys in the routing context;
 * what only one feature knows the type of (its route, its reservation) lives in that feature's
 * {@link Slot}, and the response side is the exchange's {@link ResponseChain}.
 */
public final class Exchange {

  private static final String KEY = Exchange.class.getName();

  private final String requestId;
  private final long startNanos;
  private final Snapshot snapshot;
  private final Endpoint endpoint;
  private final Slot.Values slots = new Slot.Values();
  private final ResponseChain response = new ResponseChain();
  private final StreamTimings timings = new StreamTimings();
  private final Usage usage = new Usage();
  private Buffer rawBody;
  private JsonObject body;
  private String model;
  private boolean stream;
  private Principal principal;
  private String clientAddress = "-";
  private GatewayError error;
  private String provider;
  private ProviderType providerType;
  private int attempts;
  private UpstreamFormat upstreamFormat;
  private String upstreamModel;
  private long upstreamStartNanos;
  private boolean unserved;
  private boolean usageReportUnasked;
  private String limitVerdict;
  private String guardVerdict;
  private int redactions;
  private Map<String, Integer> pseudonymized;
  private String completionText;

  private String completionFlag;

  public Exchange(String requestId, long startNanos, Snapshot snapshot, Endpoint endpoint) {
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.snapshot = snapshot;
    this.endpoint = endpoint;
  }

  /** Puts the exchange on the request (the first stage does, once). */
  public static void attach(RoutingContext ctx, Exchange exchange) {
    ctx.put(KEY, exchange);
  }

  /** The exchange of a request that went through the first stage. */
  public static Exchange of(RoutingContext ctx) {
    Exchange ex = ctx.get(KEY);
    if (ex == null) {
      throw new IllegalStateException("pipeline misassembled: no exchange on the request");
    }
    return ex;
  }

  /** The exchange of a request, or null when it never got one (a path the router refused). */
  public static Exchange find(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  public String requestId() {
    return requestId;
  }

  /** The client's address, as the trusted proxies vouch for it ({@link ClientAddress}). */
  public String clientAddress() {
    return clientAddress;
  }

  public void clientAddress(String address) {
    this.clientAddress = address;
  }

  public long startNanos() {
    return startNanos;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** The model endpoint called, or null for other paths. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The wire format of the endpoint called. */
  public WireFormat format() {
    return endpoint == null ? null : endpoint.format();
  }

  /** A feature's own state on this exchange, or null. */
  public <T> T get(Slot<T> slot) {
    return slots.get(slot);
  }

  public <T> void put(Slot<T> slot, T value) {
    slots.put(slot, value);
  }

  /** The response filters of this exchange, in their declared order. */
  public ResponseChain response() {
    return response;
  }

  public Buffer rawBody() {
    return rawBody;
  }

  public void rawBody(Buffer rawBody) {
    this.rawBody = rawBody;
  }

  public JsonObject body() {
    return body;
  }

  /** The body as parsed, with the two fields every stage relies on. */
  public void parsed(JsonObject body, String model, boolean stream) {
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

  /** The verified caller (set by the authentication stage). */
  public Principal principal() {
    return principal;
  }

  public void principal(Principal principal) {
    this.principal = principal;
  }

  public GatewayError error() {
    return error;
  }

  public void error(GatewayError error) {
    this.error = error;
  }

  /**
   * Records the provider being tried, the format it is asked in (the endpoint's, or the one a
   * translation leads to) and the model it is asked for; counts attempts for failover accounting.
   */
  public void attempt(String provider, ProviderType type, UpstreamFormat upstreamFormat, String upstreamModel) {
    this.provider = provider;
    this.upstreamModel = upstreamModel;
    this.providerType = type;
    this.upstreamFormat = upstreamFormat;
    if (this.attempts++ == 0) {
      upstreamStartNanos = System.nanoTime();
    }
  }

  /** The provider of the last attempt, or null when none was made. */
  public String provider() {
    return provider;
  }

  public ProviderType providerType() {
    return providerType;
  }

  /** The model the provider of the last attempt was asked for (what it bills), or null. */
  public String upstreamModel() {
    return upstreamModel;
  }

  /** The format the provider of the last attempt answers in (the endpoint's when none was made). */
  public UpstreamFormat upstreamFormat() {
    return upstreamFormat != null ? upstreamFormat : format();
  }

  public int attempts() {
    return attempts;
  }

  /** When the first upstream attempt started, or 0 if none did. */
  public long upstreamStartNanos() {
    return upstreamStartNanos;
  }

  /** Every target was tried and none could serve: nothing the provider did is to be charged. */
  public void unserved() {
    this.unserved = true;
  }

  /** Whether the request reached a provider that (may have) worked on it: what settlement charges. */
  public boolean reachedProvider() {
    return attempts > 0 && !unserved;
  }

  /** The gateway asked the provider for a usage report the client did not ask for: it is read, then dropped. */
  public void usageReportUnasked() {
    this.usageReportUnasked = true;
  }

  public boolean isUsageReportUnasked() {
    return usageReportUnasked;
  }

  public StreamTimings timings() {
    return timings;
  }

  /** The token usage the response reports as it goes (for settlement and the token metrics). */
  public Usage usage() {
    return usage;
  }

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

  /** Distinct values of the request replaced by placeholders, by rule (counts only, never values). */
  public void pseudonymized(Map<String, Integer> byRule) {
    this.pseudonymized = byRule;
  }

  /** Null when nothing was pseudonymized. */
  public Map<String, Integer> pseudonymized() {
    return pseudonymized;
  }

  /** The answer's text, kept only when the access log shows or hashes it. */
  public void completionText(String text) {
    this.completionText = text;
  }

  public String completionText() {
    return completionText;
  }

  /** What a guard decided about this request ({@code validation:<code>}, {@code injection:flag:<category>}), or null. */
  public void guardVerdict(String verdict) {
    this.guardVerdict = verdict;
  }

  public String guardVerdict() {
    return guardVerdict;
  }

  /**
   * The completion passed the request's own {@code max_tokens}: {@code cut} (a stream the gateway
   * ended there) or {@code charged} (a whole answer, charged in full); or whether the provider
   * reported less usage than counted ({@code underreported}).
   */
  public void completionFlag(String flag) {
    this.completionFlag = flag;
  }

  public String completionFlag() {
    return completionFlag;
  }
}
