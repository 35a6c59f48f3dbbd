package io.portcullis.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.Usage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests as clients see them: {@code portcullis_requests_seconds{route, status}} (a histogram of
 * durations, so counts per route and status class come with it) and the gauge
 * {@code portcullis_requests_in_flight} (streams included, for as long as they run). The route is the
 * endpoint's name, the status its class (2xx, 4xx...).
 */
public final class RequestMetrics {

  private final MeterRegistry registry;
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger streamsInFlight = new AtomicInteger();

  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("portcullis.requests.in.flight", inFlight);
    registry.gauge("portcullis.streams.in.flight", streamsInFlight);
  }

  /**
   * The OpenTelemetry GenAI series of a request that reached a model: token usage by type, the
   * operation's duration (with {@code error.type} when it failed), time to first token and time per
   * output token of streams. Attributes: operation, provider type, the requested model (a configured
   * name: unknown models never get this far).
   */
  public void genAi(Exchange ex, int status, long durationNanos) {
    if (ex.provider() == null || ex.model() == null) {
      return;
    }
    String operation = ex.format().operation();
    String provider = ex.providerType().label();
    String model = ex.model();
    Usage usage = ex.usage();
    if (usage.input() >= 0) {
      tokens(operation, provider, model, "input").record(usage.input());
    }
    if (usage.output() >= 0) {
      tokens(operation, provider, model, "output").record(usage.output());
    }
    double cost = Spend.usd(ex);
    if (cost > 0) {
      costs.computeIfAbsent(new Key('c', "", ex.provider(), model, ""), k -> Counter.builder("portcullis.cost.usd")
          .description("what requests cost at the price table's prices, in US dollars, by provider and model")
          .tag("provider", k.provider()).tag("model", k.model()).register(registry)).increment(cost);
    }
    String errorType = status < 400 ? "none" : ex.error() != null ? ex.error().code() : String.valueOf(status);
    meters.computeIfAbsent(new Key('d', operation, provider, model, errorType), k ->
        Timer.builder("gen_ai.client.operation.duration").tag("gen_ai.operation.name", operation)
            .tag("gen_ai.provider.name", provider).tag("gen_ai.request.model", model).tag("error.type", errorType)
            .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry)).record(Duration.ofNanos(durationNanos));
    long ttft = ex.timings().timeToFirstTokenNanos();
    if (ex.stream() && ttft > 0) {
      meters.computeIfAbsent(new Key('f', operation, provider, model, ""), k ->
          Timer.builder("gen_ai.server.time_to_first_token").tag("gen_ai.operation.name", operation)
              .tag("gen_ai.provider.name", provider).tag("gen_ai.request.model", model)
              .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
              .register(registry)).record(Duration.ofNanos(ttft));
      long tokens = ex.timings().tokens();
      if (tokens > 1) {
        meters.computeIfAbsent(new Key('p', operation, provider, model, ""), k ->
            Timer.builder("gen_ai.server.time_per_output_token").tag("gen_ai.operation.name", operation)
                .tag("gen_ai.provider.name", provider).tag("gen_ai.request.model", model)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)).record(Duration.ofNanos((durationNanos - ttft) / (tokens - 1)));
      }
    }
  }

  /** The GenAI meters, made once per set of attributes (a registry lookup per request would cost). */
  private final Map<Key, Timer> meters = new ConcurrentHashMap<>();
  private final Map<Key, DistributionSummary> tokenMeters = new ConcurrentHashMap<>();
  private final Map<Key, Counter> costs = new ConcurrentHashMap<>();

  /** A meter's attributes (a record: no string built per request to look a meter up). */
  private record Key(char series, String operation, String provider, String model, String extra) {}

  private DistributionSummary tokens(String operation, String provider, String model, String type) {
    return tokenMeters.computeIfAbsent(new Key('t', operation, provider, model, type), k ->
        DistributionSummary.builder("gen_ai.client.token.usage").baseUnit("tokens")
            .tag("gen_ai.operation.name", operation).tag("gen_ai.provider.name", provider).tag("gen_ai.request.model", model)
            .tag("gen_ai.token.type", type).publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(1_000_000.0)
            .register(registry));
  }

  public void finished(String route, int status, long durationNanos) {
    ended();
    String statusClass = STATUS_CLASSES[Math.min(Math.max(status / 100, 0), 5)];
    timers.computeIfAbsent(new Key('r', route, statusClass, "", ""), k -> Timer.builder("portcullis.requests").tag("route", route)
        .tag("status", statusClass).description("requests, by route and status class")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry)).record(Duration.ofNanos(durationNanos));
  }

  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

  public void started() {
    inFlight.incrementAndGet();
  }

  void ended() {
    inFlight.decrementAndGet();
  }

  /** A request asked for a stream ({@code portcullis_streams_in_flight}); its end calls {@link #streamEnded}. */
  public void streamStarted() {
    streamsInFlight.incrementAndGet();
  }

  public void streamEnded() {
    streamsInFlight.decrementAndGet();
  }

  /** Requests in flight now, streams included. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Streaming requests in flight now. */
  public int streamsInFlight() {
    return streamsInFlight.get();
  }
}
