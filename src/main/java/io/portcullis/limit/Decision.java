package io.portcullis.limit;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of one limiter call over every limit of a request.
 *
 * @param allowed every limit had room (and was charged), or none was charged
 * @param retryAfterMs when denied, how long until the request would fit
 * @param states one per charge, in order
 * @param mode who decided
 */
public record Decision(boolean allowed, long retryAfterMs, List<State> states, Mode mode) {

  /**
   * Who decided: the shared counters, a lease of them held by this event loop (counted in Redis
   * already), this process's counters, nobody (admitted without counting), or no limit applied.
   */
  public enum Mode {
    REDIS, LEASE, LOCAL, OPEN, NONE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The word in metrics and the access log. */
    public String label() {
      return label;
    }
  }

  /**
   * @param remaining what is left in the trailing window after this request
   * @param resetMs time until the current window ends
   * @param window the number of the window charged (settlement adds to it)
   */
  public record State(long remaining, long resetMs, long window) {}
}
