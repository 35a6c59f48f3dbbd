package io.portcullis.limit;

import java.util.List;

/**
 * The outcome of one limiter call over every limit of a request.
 *
 * @param allowed every limit had room (and was charged), or none was charged
 * @param retryAfterMs when denied, how long until the request would fit
 * @param states one per charge, in order
 * @param mode who decided: {@code redis}, {@code local}, {@code open}; {@code closed} refuses (503)
 */
public record Decision(boolean allowed, long retryAfterMs, List<State> states, String mode) {

  /**
   * @param remaining what is left in the trailing window after this request
   * @param resetMs time until the current window ends
   * @param window the number of the window charged (settlement adds to it)
   */
  public record State(long remaining, long resetMs, long window) {}
}
