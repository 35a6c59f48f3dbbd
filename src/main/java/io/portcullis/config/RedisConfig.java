package io.portcullis.config;

import java.time.Duration;

/**
 * The shared Redis (API keys now, the rate limiter next).
 *
 * @param url {@code redis://[:password@]host:port[/db]}, or null when no Redis is used
 * @param timeout the deadline of one Redis call
 */
public record RedisConfig(String url, Duration timeout) {

  public boolean enabled() {
    return url != null;
  }
}
