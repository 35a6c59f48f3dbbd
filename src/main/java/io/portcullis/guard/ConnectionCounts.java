package io.portcullis.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.config.ServerConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open client connections of the process, in total and per client address, shared by all
 * event loops, with {@code portcullis_connections_open} and
 * {@code portcullis_connections_closed_total{reason}} (the gateway's own closes: timeouts and caps).
 * A client's entry lives only while it has connections, so the map is as large as the set of
 * clients connected now, never the set of clients ever seen.
 */
public final class ConnectionCounts {

  /** Why the gateway closed or refused a connection: the metric's bounded label set. */
  public enum Reason {
    HEADER_TIMEOUT, KEEP_ALIVE_TIMEOUT, BODY_TIMEOUT, TOO_MANY, TOO_MANY_PER_CLIENT;

    final String label = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final Map<Reason, Counter> closed = new java.util.EnumMap<>(Reason.class);

  public ConnectionCounts(MeterRegistry registry) {
    Gauge.builder("portcullis.connections.open", open, AtomicInteger::get)
        .description("client connections open now").register(registry);
    for (Reason r : Reason.values()) {
      closed.put(r, Counter.builder("portcullis.connections.closed").tag("reason", r.label)
          .description("client connections the gateway closed or refused, by reason").register(registry));
    }
  }

  /**
   * Counts a new connection in, or says why it is refused (and then counts nothing).
   *
   * @return null when admitted; the caller must {@link #release} it when it closes
   */
  public Reason admit(String client, ServerConfig.Connections caps) {
    if (open.incrementAndGet() > caps.max() && caps.max() > 0) {
      open.decrementAndGet();
      closed(Reason.TOO_MANY);
      return Reason.TOO_MANY;
    }
    boolean[] refused = {false};
    perClient.compute(client, (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      if (caps.maxPerClient() > 0 && count.get() >= caps.maxPerClient()) {
        refused[0] = true;
        return n; // unchanged (an existing entry: the cap is at least 1)
      }
      count.incrementAndGet();
      return count;
    });
    if (refused[0]) {
      open.decrementAndGet();
      closed(Reason.TOO_MANY_PER_CLIENT);
      return Reason.TOO_MANY_PER_CLIENT;
    }
    return null;
  }

  /** A connection admitted by {@link #admit} has closed. */
  public void release(String client) {
    open.decrementAndGet();
    perClient.computeIfPresent(client, (k, n) -> n.decrementAndGet() == 0 ? null : n);
  }

  public void closed(Reason reason) {
    closed.get(reason).increment();
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  /** Client addresses with a connection open now. */
  public int clients() {
    return perClient.size();
  }
}
