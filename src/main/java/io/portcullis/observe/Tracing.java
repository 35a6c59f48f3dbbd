package io.portcullis.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.portcullis.config.ObserveConfig;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.Slot;
import io.portcullis.ingress.UpstreamTrace;
import io.portcullis.scrub.Scrubber;
import io.portcullis.scrub.Scrubbers;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry traces of requests: a server span per request, named as the GenAI conventions say
 * ({@code chat gpt-4o}), with children for authentication, the limits (Redis), each call upstream
 * (a client span whose context goes to the provider in {@code traceparent}) and the stream to the
 * client; a {@code traceparent} from the client makes the request part of the client's trace.
 * Exported over OTLP/HTTP by the SDK's batch processor, off the event loops.
 *
 * <p>The spans of the stages are made when the request ends, from the times marked as it passed
 * them ({@link #mark}): a stage costs a clock read, not a span, while the request runs. No prompt or
 * answer text is put in a span unless {@code capture_content} says so, and then redacted by the
 * response scrub rules and by the log redaction (built-in rules, config secrets, gateway keys).
 */
public final class Tracing {

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

  /** The stage boundaries the pipeline marks. */
  public enum Mark { AUTH_END, LIMITS_START, LIMITS_END }

  private static final Slot<Trace> SLOT = Slot.named("trace");
  private static final TextMapGetter<MultiMap> FROM_HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap carrier) {
      return carrier.names();
    }

    @Override
    public String get(MultiMap carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final TextMapSetter<MultiMap> TO_HEADERS = (carrier, key, value) -> carrier.set(key, value);

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
  static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  /** The wall clock at a known {@code System.nanoTime()}: spans are stamped in epoch nanoseconds. */
  private final long epochNanosAtStart = System.currentTimeMillis() * 1_000_000L;
  private final long nanoTimeAtStart = System.nanoTime();

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider == null ? null : provider.get("io.portcullis");
  }

  /** No traces: every method returns at once. */
  public static Tracing off() {
    return new Tracing(null);
  }

  /** Traces as the config says (the exporter is made now; off makes nothing). */
  public static Tracing of(ObserveConfig.Tracing config) {
    if (!config.enabled()) {
      return off();
    }
    OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.endpoint())
        .setTimeout(Duration.ofSeconds(10));
    config.headers().forEach(exporter::addHeader);
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
            config.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampling())))
        // a bounded queue, exported every second in batches on the SDK's own thread; when the
        // collector falls behind, spans are dropped rather than held
        .addSpanProcessor(BatchSpanProcessor.builder(exporter.build()).setScheduleDelay(Duration.ofSeconds(1))
            .setMaxQueueSize(8192).build())
        .build();
    LOG.info("traces exported to {} (sampling {})", config.endpoint(), config.sampling());
    return new Tracing(provider);
  }

  public boolean enabled() {
    return provider != null;
  }

  private long epochNanos(long nanoTime) {
    return epochNanosAtStart + (nanoTime - nanoTimeAtStart);
  }

  /** A request starts: its span begins, a child of the client's {@code traceparent} when one came. */
  public void start(RoutingContext ctx, Exchange ex) {
    if (provider == null || !ex.snapshot().config().observe().tracing().enabled()) {
      return;
    }
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), ctx.request().headers(), FROM_HEADERS);
    String route = ex.endpoint() == null ? "models" : ex.format().operation();
    Span span = tracer.spanBuilder(route).setParent(parent).setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(epochNanos(ex.startNanos()), TimeUnit.NANOSECONDS)
        .setAttribute("http.request.method", ctx.request().method().name())
        .setAttribute("url.path", ctx.request().path())
        .setAttribute("portcullis.request_id", ex.requestId())
        .startSpan();
    if (!span.isRecording()) {
      // not sampled: only the context travels on (upstream is told the trace is not sampled)
      Trace t = new Trace(this, span, Context.root().with(span));
      ex.put(UpstreamTrace.SLOT, t);
      return;
    }
    Trace t = new Trace(this, span, Context.root().with(span));
    ex.put(SLOT, t);
    ex.put(UpstreamTrace.SLOT, t);
  }

  /** The request passed a stage boundary. */
  public static void mark(Exchange ex, Mark mark) {
    Trace t = ex.get(SLOT);
    if (t != null) {
      t.marks[mark.ordinal()] = System.nanoTime();
    }
  }

  /** The trace id of a traced request, or null. */
  static String traceId(Exchange ex) {
    Trace t = ex.get(SLOT);
    return t == null ? null : t.root.getSpanContext().getTraceId();
  }

  /** The request ended: its stages' spans are made from their marks, and every span ends. */
  public void finish(Exchange ex, int status) {
    Trace t = ex.get(SLOT);
    if (t == null) {
      return;
    }
    long end = System.nanoTime();
    long start = ex.startNanos();
    long authEnd = t.marks[Mark.AUTH_END.ordinal()];
    child(t, "auth", start, authEnd > 0 ? authEnd : end);
    long limitsStart = t.marks[Mark.LIMITS_START.ordinal()];
    if (limitsStart > 0) {
      long limitsEnd = t.marks[Mark.LIMITS_END.ordinal()];
      child(t, "limits", limitsStart, limitsEnd > 0 ? limitsEnd : end);
    }
    t.endAttempt(end);
    long ttft = ex.timings().timeToFirstTokenNanos();
    if (ex.stream() && ttft > 0) {
      Span stream = child(t, "stream", start + ttft, end);
      stream.setAttribute("portcullis.stream.events", ex.timings().tokens());
    }
    Span root = t.root;
    if (ex.model() != null) {
      root.updateName(ex.format().operation() + " " + ex.model());
      root.setAttribute(OPERATION, ex.format().operation());
      root.setAttribute(REQUEST_MODEL, ex.model());
    }
    if (ex.provider() != null) {
      root.setAttribute(PROVIDER, ex.providerType().label());
      root.setAttribute(RESPONSE_MODEL, ex.upstreamModel());
    }
    if (ex.usage().input() >= 0) {
      root.setAttribute(INPUT_TOKENS, ex.usage().input());
    }
    if (ex.reachedProvider() && ex.model() != null) {
      root.setAttribute(OUTPUT_TOKENS, ex.usage().outputToCharge());
    }
    double cost = Spend.usd(ex);
    if (cost >= 0) {
      root.setAttribute("portcullis.cost_usd", cost);
    }
    if (ex.limitVerdict() != null) {
      root.setAttribute("portcullis.limit.verdict", ex.limitVerdict());
    }
    root.setAttribute(STATUS, (long) status);
    if (status >= 400) {
      root.setAttribute(ERROR_TYPE, ex.error() != null ? ex.error().code() : String.valueOf(status));
      if (status >= 500) {
        root.setStatus(StatusCode.ERROR);
      }
    }
    ObserveConfig.Tracing config = ex.snapshot().config().observe().tracing();
    if (config.captureContent() && ex.body() != null && ex.endpoint() != null) {
      capture(root, INPUT_MESSAGES, "user", ex.format().lastUserText(ex.body()), ex, config);
      capture(root, OUTPUT_MESSAGES, "assistant", ex.completionText(), ex, config);
    }
    root.end(epochNanos(end), TimeUnit.NANOSECONDS);
  }

  /** A text as the GenAI conventions hold messages, redacted by the response rules and cut to size. */
  private static void capture(Span span, AttributeKey<String> key, String role, String text, Exchange ex,
      ObserveConfig.Tracing config) {
    if (text == null) {
      return;
    }
    // the response rules first (what the client was shown), then what every log line passes: the
    // built-in rules, the config's secrets, the gateway's keys; the whole text, then cut (a cut
    // first could split a secret and leave its first half unrecognized)
    Scrubber scrubber = Scrubbers.of(ex).responses();
    String shown = LogRedaction.redact(scrubber != null ? scrubber.scrub(text) : text);
    shown = shown.length() <= config.maxChars() ? shown : shown.substring(0, config.maxChars()) + "…";
    span.setAttribute(key, new JsonArray().add(new JsonObject().put("role", role)
        .put("parts", new JsonArray().add(new JsonObject().put("type", "text").put("content", shown)))).encode());
  }

  private Span child(Trace t, String name, long from, long to) {
    Span span = tracer.spanBuilder(name).setParent(t.context).setStartTimestamp(epochNanos(from), TimeUnit.NANOSECONDS)
        .startSpan();
    span.end(epochNanos(Math.max(from, to)), TimeUnit.NANOSECONDS);
    return span;
  }

  /** Sends what is queued and stops the exporter (the gateway is stopping). */
  public void close() {
    if (provider != null) {
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  /** One request's trace: its root span, the stage marks, the call upstream in progress. */
  private static final class Trace implements UpstreamTrace {
    private final Tracing tracing;
    private final Span root;
    private final Context context;
    private final long[] marks = new long[Mark.values().length];
    private Span attempt;

    Trace(Tracing tracing, Span root, Context context) {
      this.tracing = tracing;
      this.root = root;
      this.context = context;
    }

    @Override
    public void attempt(MultiMap headers, String operation, String provider, String providerType, String model, String host,
        int port) {
      long now = System.nanoTime();
      endAttempt(now);
      if (!root.isRecording()) {
        W3CTraceContextPropagator.getInstance().inject(context, headers, TO_HEADERS);
        return;
      }
      attempt = tracing.tracer.spanBuilder(operation + " " + model).setParent(context).setSpanKind(SpanKind.CLIENT)
          .setStartTimestamp(tracing.epochNanos(now), TimeUnit.NANOSECONDS)
          .setAttribute(OPERATION, operation).setAttribute(PROVIDER, providerType).setAttribute(REQUEST_MODEL, model)
          .setAttribute("portcullis.provider", provider)
          .setAttribute("server.address", host).setAttribute("server.port", (long) port)
          .startSpan();
      W3CTraceContextPropagator.getInstance().inject(context.with(attempt), headers, TO_HEADERS);
    }

    @Override
    public void responded(int status) {
      if (attempt != null) {
        attempt.setAttribute(STATUS, (long) status);
        if (status >= 400) {
          attempt.setAttribute(ERROR_TYPE, String.valueOf(status));
          attempt.setStatus(StatusCode.ERROR);
        }
      }
    }

    @Override
    public void failed(String errorCode) {
      if (attempt != null) {
        attempt.setAttribute(ERROR_TYPE, errorCode);
        attempt.setStatus(StatusCode.ERROR);
      }
    }

    void endAttempt(long nanoTime) {
      if (attempt != null) {
        attempt.end(tracing.epochNanos(nanoTime), TimeUnit.NANOSECONDS);
        attempt = null;
      }
    }
  }
}
