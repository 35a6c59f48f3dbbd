package io.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The admin server, on a port of its own: health, readiness and metrics (open to whoever reaches
 * the port), and the admin API (only with an admin token).
 *
 * @param tokens the admin API's tokens (hashes only); none: the API answers 401 to everyone
 * @param audit where the audit trail goes when there is no Redis, and how long the Redis one is kept
 */
public record AdminConfig(boolean enabled, String host, int port, List<Token> tokens, Audit audit) {

  /** The roles an admin token may have: {@code viewer} reads, {@code admin} also changes. */
  public enum Role { ADMIN, VIEWER }

  /**
   * An admin token as the config holds it.
   *
   * @param name who holds it (it is the actor in the audit trail)
   * @param sha256 lower-case hex SHA-256 of the token
   */
  public record Token(String name, Role role, String sha256) {}

  /**
   * @param file the JSON-lines file the trail is appended to when no Redis is configured
   * @param maxEntries the Redis stream keeps about this many entries
   * @param maxAge and none older than this
   */
  public record Audit(Path file, long maxEntries, Duration maxAge) {}

  public AdminConfig {
    tokens = List.copyOf(tokens);
  }

  /** Health, readiness and metrics only: no admin token. */
  public AdminConfig(boolean enabled, String host, int port) {
    this(enabled, host, port, List.of(), new Audit(Path.of("audit.jsonl"), 100_000, Duration.ofDays(365)));
  }
}
