package io.portcullis.auth;

import io.portcullis.ingress.Principal;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.AuthConfig;
import io.portcullis.config.AuthConfig.RoleConfig;
import io.portcullis.config.StoredKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {

  static final AuthConfig CONFIG = new AuthConfig(true, null, List.of(), false, Duration.ofHours(1), null,
      new AuthConfig.BruteForceConfig(3, Duration.ofMinutes(1), Duration.ofMinutes(5)),
      List.of(new RoleConfig("chat", List.of("gpt-*", "claude-sonnet"), List.of("chat_completions", "models"), "standard"),
          new RoleConfig("embed", List.of("text-embedding-3-small"), List.of("embeddings"), null)),
      List.of("chat"), AuthConfig.KeyCacheConfig.DEFAULTS);
  static final AccessPolicy POLICY = new AccessPolicy(CONFIG);

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-22T12:00:00Z"));
  final ApiKeyAuthenticator auth = new ApiKeyAuthenticator(now::get);

  static StoredKey stored(String[] generated, Instant expires, boolean revoked, List<String> roles) {
    return new StoredKey(generated[1], generated[2], "alice", "research", roles, Instant.EPOCH, expires, revoked);
  }

  AuthOutcome check(String key, StoredKey... keys) {
    return auth.authenticate(key, new FileKeyStore(null, List.of(keys)), null, POLICY).result();
  }

  @Test
  void keysHaveOneShapeAndOnlyTheirHashIsKept() {
    String[] g = ApiKeyFormat.generate();
    assertThat(g[0]).matches("pc-[0-9A-Za-z]{12}-[0-9A-Za-z]{40}");
    ApiKeyFormat.Parsed p = ApiKeyFormat.parse(g[0]);
    assertThat(p.id()).isEqualTo(g[1]);
    assertThat(ApiKeyFormat.hash(p.id(), p.secret())).isEqualTo(g[2]).hasSize(64).doesNotContain(p.secret());
    assertThat(ApiKeyFormat.generate()[0]).isNotEqualTo(g[0]);
    for (String bad : List.of("", "pc-", g[0] + "x", g[0].substring(1), g[0].replace('-', '_'), "pc-" + "a".repeat(12) + "-" + "!".repeat(40))) {
      assertThat(ApiKeyFormat.parse(bad)).as(bad).isNull();
    }
  }

  @Test
  void acceptsAValidKeyWithItsOwnersIdentity() {
    String[] g = ApiKeyFormat.generate();
    AuthOutcome ok = check(g[0], stored(g, null, false, List.of("chat", "unknown_role")));
    assertThat(ok.error()).isNull();
    assertThat(ok.principal()).isEqualTo(new Principal("alice", "research", Set.of("chat"), g[1], "api_key"));
  }

  @Test
  void refusesWrongSecretsUnknownIdsAndMalformedKeys() {
    String[] g = ApiKeyFormat.generate();
    StoredKey k = stored(g, null, false, List.of("chat"));
    String wrongSecret = g[0].substring(0, g[0].length() - 1) + (g[0].endsWith("A") ? "B" : "A");
    assertThat(check(wrongSecret, k).error().code()).isEqualTo("invalid_api_key");
    assertThat(check(ApiKeyFormat.generate()[0], k).error().code()).isEqualTo("invalid_api_key");
    assertThat(check("pc-short", k).error().message()).isEqualTo("the API key is malformed");
    // a wrong secret for a revoked key says nothing about the key's state
    assertThat(check(wrongSecret, stored(g, null, true, List.of())).error().code()).isEqualTo("invalid_api_key");
  }

  @Test
  void refusesRevokedAndExpiredKeys() {
    String[] g = ApiKeyFormat.generate();
    assertThat(check(g[0], stored(g, null, true, List.of())).error().code()).isEqualTo("api_key_revoked");
    assertThat(check(g[0], stored(g, now.get(), false, List.of())).error().code()).isEqualTo("api_key_expired");
    assertThat(check(g[0], stored(g, now.get().plusSeconds(1), false, List.of())).error()).isNull();
  }

  @Test
  void aRotatedKeyWorksWithinTheOverlapAndNotAfter() {
    String[] old = ApiKeyFormat.generate();
    StoredKey rotated = stored(old, null, false, List.of("chat")).retiring(now.get().plus(Duration.ofHours(1)));
    assertThat(check(old[0], rotated).error()).isNull();
    now.set(now.get().plus(Duration.ofMinutes(59)));
    assertThat(check(old[0], rotated).error()).isNull();
    now.set(now.get().plus(Duration.ofMinutes(2)));
    assertThat(check(old[0], rotated).error().code()).isEqualTo("api_key_expired");
    // rotating never extends a key that expires sooner, and keeps the key's own expiry apart
    StoredKey soon = stored(old, Instant.EPOCH, false, List.of()).retiring(now.get());
    assertThat(soon.ends()).isEqualTo(Instant.EPOCH);
    assertThat(soon.expires()).isEqualTo(Instant.EPOCH);
    // a second rotation keeps the earlier retirement
    assertThat(rotated.retiring(now.get().plus(Duration.ofDays(9))).retires()).isEqualTo(rotated.retires());
  }

  @Test
  void rolesDecideModelsAndEndpoints() {
    Principal chat = new Principal("a", null, POLICY.roles(List.of()), null, "api_key");
    assertThat(chat.roles()).containsExactly("chat"); // the default role
    assertThat(POLICY.mayUse(chat, "gpt-4o-mini")).isTrue();
    assertThat(POLICY.mayUse(chat, "claude-sonnet")).isTrue();
    assertThat(POLICY.mayUse(chat, "claude-sonnet-2")).isFalse();
    assertThat(POLICY.mayUse(chat, "text-embedding-3-small")).isFalse();
    assertThat(POLICY.mayCall(chat, "chat_completions")).isTrue();
    assertThat(POLICY.mayCall(chat, "embeddings")).isFalse();
    assertThat(POLICY.limit(chat)).isEqualTo("standard");
    Principal both = new Principal("b", null, POLICY.roles(List.of("embed", "chat")), null, "jwt");
    assertThat(POLICY.mayUse(both, "text-embedding-3-small") && POLICY.mayCall(both, "embeddings")).isTrue();
    assertThat(POLICY.limit(both)).isEqualTo("standard"); // the first role in the config's order with a limit
    assertThat(AccessPolicy.glob("a.b*").matcher("a.bc").matches()).isTrue();
    assertThat(AccessPolicy.glob("a.b*").matcher("axbc").matches()).isFalse(); // '.' is literal
  }

  @Test
  void failuresPerIpBlockForACooldownWithBoundedMemory() {
    FailureCounter failures = new FailureCounter();
    AuthConfig.BruteForceConfig bf = CONFIG.bruteForce();
    long t = 0;
    failures.failed("1.2.3.4", t, bf);
    failures.failed("1.2.3.4", t + 1, bf);
    assertThat(failures.blockedFor("1.2.3.4", t + 2)).isZero();
    failures.failed("1.2.3.4", t + 2, bf);
    assertThat(failures.blockedFor("1.2.3.4", t + 3)).isPositive();
    assertThat(failures.blockedFor("5.6.7.8", t + 3)).isZero();
    assertThat(failures.blockedFor("1.2.3.4", t + 2 + bf.cooldown().toNanos())).isZero();
    // failures spread wider than the window never add up
    long window = bf.window().toNanos();
    for (int i = 0; i < 10; i++) {
      failures.failed("9.9.9.9", i * (window + 1), bf);
    }
    assertThat(failures.blockedFor("9.9.9.9", 10 * (window + 1))).isZero();
    for (int i = 0; i < FailureCounter.MAX_TRACKED + 10; i++) {
      failures.failed("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 0, bf);
    }
    assertThat(failures.tracked()).isLessThanOrEqualTo(FailureCounter.MAX_TRACKED);
  }
}
