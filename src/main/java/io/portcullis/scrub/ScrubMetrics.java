package io.portcullis.scrub;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scrubber's counters: redactions per rule (label values are rule names, a bounded set; never
 * matched text). The Prometheus endpoint of the observability work exposes them.
 */
public final class ScrubMetrics {

  private final Map<String, LongAdder> redactions = new ConcurrentHashMap<>();

  public void redacted(String rule) {
    redactions.computeIfAbsent(rule, r -> new LongAdder()).increment();
  }

  public Map<String, Long> redactionsByRule() {
    Map<String, Long> out = new TreeMap<>();
    redactions.forEach((rule, n) -> out.put(rule, n.sum()));
    return out;
  }
}
