package io.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call the gateway, and what each caller may use.
 *
 * @param enabled when false every request is let through as an anonymous caller with every role
 *     (a warning is logged at start); the shipped config turns it on
 * @param keyFile the API key file store (hashes only), or null
 * @param fileKeys the keys read from {@code keyFile} when the config was loaded
 * @param redisKeys keys are also looked up in (and created into) the shared Redis store
 * @param rotationOverlap how long a rotated key stays valid next to its replacement
 * @param jwt JSON Web Token verification, or null when tokens are not accepted
 * @param bruteForce the per-IP defence against guessing
 * @param roles the roles, by name, in file order
 * @param defaultRoles roles of a verified caller whose credential names none
 * @param keyCache how keys found in Redis are kept by each process
 * @param fileBlocked the users and teams the key file blocks ({@code user:<name>}, {@code team:<name>})
 */
public record AuthConfig(boolean enabled, Path keyFile, List<StoredKey> fileKeys, boolean redisKeys, Duration rotationOverlap, JwtConfig jwt,
    BruteForceConfig bruteForce, List<RoleConfig> roles, List<String> defaultRoles, KeyCacheConfig keyCache,
    Set<String> fileBlocked) {

  public AuthConfig {
    fileKeys = List.copyOf(fileKeys);
    roles = List.copyOf(roles);
    defaultRoles = List.copyOf(defaultRoles);
    fileBlocked = Set.copyOf(fileBlocked);
  }

  /** Without a key file's blocks. */
  public AuthConfig(boolean enabled, Path keyFile, List<StoredKey> fileKeys, boolean redisKeys, Duration rotationOverlap,
      JwtConfig jwt, BruteForceConfig bruteForce, List<RoleConfig> roles, List<String> defaultRoles, KeyCacheConfig keyCache) {
    this(enabled, keyFile, fileKeys, redisKeys, rotationOverlap, jwt, bruteForce, roles, defaultRoles, keyCache, Set.of());
  }

  /** The role names this config defines. */
  public Set<String> roleNames() {
    Set<String> out = new LinkedHashSet<>();
    roles.forEach(r -> out.add(r.name()));
    return out;
  }

  /**
   * @param ttl how long a key read from Redis answers lookups without asking again (changes are
   *     pushed at once; this bounds a missed push)
   * @param maxEntries keys kept per process; 0 turns the cache off
   * @param staleIfError how much longer a cached key keeps working while Redis does not answer
   */
  public record KeyCacheConfig(Duration ttl, int maxEntries, Duration staleIfError) {

    public static final KeyCacheConfig DEFAULTS = new KeyCacheConfig(Duration.ofSeconds(60), 100_000, Duration.ofMinutes(5));
  }

  public Optional<RoleConfig> role(String name) {
    return roles.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /**
   * @param secret the shared secret of HS256/384/512 tokens, or null
   * @param jwksFile a JWKS file of public keys, or null
   * @param jwksUrl a JWKS URL, fetched at start and again on an unknown key id, or null
   * @param algorithms the accepted {@code alg} values
   * @param issuer required {@code iss}, or null
   * @param audience required {@code aud} (one of), or null
   * @param leeway clock skew allowed on {@code exp}, {@code nbf} and {@code iat}
   * @param maxTokenBytes longer tokens are refused before any parsing
   * @param refreshFloor the JWKS is fetched at most this often on unknown key ids
   * @param maxAge keys older than this are fetched again before the next token is checked, so a
   *     key the issuer removed stops working within this time
   */
  public record JwtConfig(Secret secret, Path jwksFile, String jwksUrl, List<String> algorithms, String issuer,
      String audience, Duration leeway, int maxTokenBytes, Duration refreshFloor, Duration maxAge, String userClaim, String teamClaim,
      String rolesClaim) {

    public static final List<String> ALGORITHMS = List.of("HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
        "ES256", "ES384", "PS256");

    public JwtConfig {
      algorithms = List.copyOf(algorithms);
    }
  }

  /**
   * @param maxFailures failed authentications from one IP within {@code window} before it is refused
   * @param cooldown how long a refused IP gets 429 without any verification
   */
  public record BruteForceConfig(int maxFailures, Duration window, Duration cooldown) {}

  /**
   * @param models model names or glob patterns ({@code *}, {@code ?}) the role may use
   * @param endpoints the endpoints it may call: chat_completions, embeddings, messages, models
   * @param limit the rate-limit policy that applies (the limiter reads it), or null
   */
  public record RoleConfig(String name, List<String> models, List<String> endpoints, String limit) {

    public static final List<String> ENDPOINTS = EndpointNames.ALL;

    public RoleConfig {
      models = List.copyOf(models);
      endpoints = List.copyOf(endpoints);
    }
  }
}
