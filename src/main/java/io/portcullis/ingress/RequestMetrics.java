package io.portcullis.ingress;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("portcullis.requests.in.flight", inFlight);
  }

  void finished(String route, int status, long durationNanos) {
    ended();
    String statusClass = (status / 100) + "xx";
    timers.computeIfAbsent(route + ' ' + statusClass, k -> Timer.builder("portcullis.requests").tag("route", route)
        .tag("status", statusClass).description("requests, by route and status class")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry)).record(Duration.ofNanos(durationNanos));
  }

  void started() {
    inFlight.incrementAndGet();
  }

  void ended() {
    inFlight.decrementAndGet();
  }
}
