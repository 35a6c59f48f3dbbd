package io.portcullis.auth;

import io.portcullis.ingress.Principal;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Verifies {@code pc-<id>-<secret>} keys: the id finds the stored key (the key file first, then
 * Redis when configured), the hash of the secret must equal the stored one (compared in constant
 * time), and the key must be neither revoked nor expired. Whether a key is revoked or expired is
 * said only to a caller who holds its secret.
 */
public final class ApiKeyAuthenticator {

  private final Supplier<Instant> clock;
  /** Reads the key file again for an unknown id; null: memory only. */
  private final Vertx vertx;

  public ApiKeyAuthenticator(Supplier<Instant> clock) {
    this(clock, null);
  }

  public ApiKeyAuthenticator(Supplier<Instant> clock, Vertx vertx) {
    this.clock = clock;
    this.vertx = vertx;
  }

  public Future<AuthOutcome> authenticate(String key, FileKeyStore file, KeyStore shared, AccessPolicy policy) {
    ApiKeyFormat.Parsed parsed = ApiKeyFormat.parse(key);
    if (parsed == null) {
      return Future.succeededFuture(AuthOutcome.refused("invalid_api_key", "the API key is malformed"));
    }
    StoredKey stored = file == null ? null : file.get(parsed.id());
    if (stored != null) {
      return Future.succeededFuture(verify(parsed, stored, policy));
    }
    if (file != null) {
      // maybe a key made a moment ago: the file is read again before the key is refused
      return file.getOrReread(parsed.id(), vertx).compose(found -> found != null || shared == null
          ? Future.succeededFuture(verify(parsed, found, policy)) : fromShared(parsed, shared, policy));
    }
    if (shared == null) {
      return Future.succeededFuture(verify(parsed, null, policy));
    }
    return fromShared(parsed, shared, policy);
  }

  private Future<AuthOutcome> fromShared(ApiKeyFormat.Parsed parsed, KeyStore shared, AccessPolicy policy) {
    return shared.find(parsed.id())
        .map(found -> verify(parsed, found, policy))
        .otherwise(err -> AuthOutcome.unavailable("the key store cannot be reached; try again shortly"));
  }

  AuthOutcome verify(ApiKeyFormat.Parsed parsed, StoredKey stored, AccessPolicy policy) {
    if (stored == null || !ApiKeyFormat.sameHash(ApiKeyFormat.hash(parsed.id(), parsed.secret()), stored.hash())) {
      return AuthOutcome.refused("invalid_api_key", "the API key is not valid");
    }
    if (stored.revoked()) {
      return AuthOutcome.refused("api_key_revoked", "the API key has been revoked");
    }
    if (stored.endedAt(clock.get())) {
      return AuthOutcome.refused("api_key_expired", "the API key has expired");
    }
    return AuthOutcome.ok(new Principal(stored.user(), stored.team(), policy.roles(stored.roles()), stored.id(), "api_key"));
  }
}
