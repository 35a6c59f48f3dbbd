package io.portcullis.limit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refusals remembered per caller and model entry until their retry time (at most
 * {@value #MAX_DENY_MS} ms): the same caller is refused again without asking Redis while its
 * request limit is spent, or for token costs no smaller than those already refused (a smaller
 * request may still fit, so it is asked). One per event loop; bounded, least recently used out.
 */
final class DenyCache {

  static final long MAX_DENY_MS = 10_000;
  private static final int SIZE = 10_000;

  /** A refusal remembered: until when, for which token cost, and the headers it was answered with. */
  record Denied(long atNanos, long untilNanos, long prompt, long completion, boolean requestsSpent, List<Charge> charges,
      Decision decision) {}

  private final Map<String, Denied> denied = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Denied> eldest) {
      return size() > SIZE;
    }
  };

  /** A refusal that still answers this request, or null. */
  Denied find(String key, long prompt, long completion, long now) {
    Denied d = denied.get(key);
    if (d == null || d.untilNanos() <= now) {
      return null;
    }
    return d.requestsSpent() || (prompt >= d.prompt() && completion >= d.completion()) ? d : null;
  }

  /**
   * Remembers a refusal.
   *
   * @param countsTokens false when the policy counts no tokens: then any request of the caller is refused again
   */
  void remember(String key, long retryMs, boolean countsTokens, long prompt, long completion, List<Charge> charges,
      Decision decision) {
    boolean requestsSpent = false;
    for (int i = 0; i < charges.size(); i++) {
      requestsSpent |= charges.get(i).kind().endsWith("requests") && decision.states().get(i).remaining() < 1;
    }
    long now = System.nanoTime();
    denied.put(key, new Denied(now, now + Math.min(retryMs, MAX_DENY_MS) * 1_000_000,
        countsTokens ? prompt : Long.MAX_VALUE, countsTokens ? completion : Long.MAX_VALUE, requestsSpent, charges, decision));
  }
}
