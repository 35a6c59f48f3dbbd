package io.portcullis.auth;

import io.portcullis.config.AuthConfig.JwtConfig;
import io.portcullis.ingress.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies JSON Web Tokens with Vert.x Auth JWT, after checks of our own that come first and cost
 * little: the size, the shape, a JSON header, an accepted {@code alg} (never {@code none}), and a
 * {@code kid} that names a known key of the right type (an HS token can never be checked against
 * an RSA or EC public key). Keys come from a shared secret, a JWKS file, or a JWKS URL; an unknown
 * {@code kid} fetches the JWKS again (at most once per {@code jwks_refresh_floor}), so a key rotated
 * at the issuer needs no restart and a removed key stops working at the next fetch.
 *
 * <p>A verified token is remembered (by its SHA-256, in a bounded LRU of this event loop) until its
 * {@code exp}, so a client sending the same token on every request pays for one signature check;
 * the memory is dropped whenever the keys change, so a key removed at the issuer ends its tokens.
 *
 * <p>One instance per event loop; it rebuilds its keys when the config's {@code jwt} section changes.
 */
public final class JwtAuthenticator {

  private final Vertx vertx;
  private final HttpClient http;
  private final int cacheSize;
  private final Map<String, Verified> verified;

  /** A token checked before: who it was, and until when (epoch seconds, leeway included). */
  private record Verified(Principal principal, long untilEpochSeconds) {}
  private JwtConfig config;
  private Keys keys;
  private Future<Keys> loading;
  private long lastFetchNanos = Long.MIN_VALUE / 2;

  /** The verifier built from one fetch of the keys, and the type of each key by its id. */
  private record Keys(JWTAuth auth, Map<String, String> typeByKid, int count) {}

  /** @param cacheSize verified tokens remembered (0: none) */
  public JwtAuthenticator(Vertx vertx, HttpClient http, int cacheSize) {
    this.vertx = vertx;
    this.http = http;
    this.cacheSize = cacheSize;
    this.verified = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
        return size() > cacheSize;
      }
    };
  }

  private static String digest(String token) {
    try {
      return Base64.getEncoder().encodeToString(
          java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public Future<AuthOutcome> authenticate(String token, JwtConfig jwt, AccessPolicy policy) {
    if (token.length() > jwt.maxTokenBytes()) {
      return done(AuthOutcome.refused("invalid_token", "the token is longer than " + jwt.maxTokenBytes() + " bytes"));
    }
    String digest = null;
    if (cacheSize > 0 && jwt.equals(config) && keys != null) {
      digest = digest(token);
      Verified hit = verified.get(digest);
      if (hit != null) {
        if (System.currentTimeMillis() / 1000 <= hit.untilEpochSeconds()) {
          return done(AuthOutcome.ok(hit.principal()));
        }
        verified.remove(digest);
      }
    }
    String cacheKey = digest;
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return done(AuthOutcome.refused("invalid_token", "the token is not a JWT (header.payload.signature)"));
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return done(AuthOutcome.refused("invalid_token", "the token's header is not base64url JSON"));
    }
    Object algValue = header.getValue("alg");
    String alg = algValue instanceof String s ? s : null;
    if (alg == null || alg.equalsIgnoreCase("none")) {
      return done(AuthOutcome.refused("invalid_token", "unsigned tokens are refused"));
    }
    if (!jwt.algorithms().contains(alg)) {
      return done(AuthOutcome.refused("invalid_token", "the token's algorithm is not accepted"));
    }
    if (parts[2].isEmpty()) {
      return done(AuthOutcome.refused("invalid_token", "the token has no signature"));
    }
    Object kidValue = header.getValue("kid");
    String kid = kidValue instanceof String s ? s : null;
    return keys(jwt, false).compose(k -> {
      if (alg.startsWith("HS") || kid == null || k.typeByKid().containsKey(kid)) {
        return Future.succeededFuture(k);
      }
      return keys(jwt, true); // an unknown key id: the issuer may have rotated
    }).compose(k -> {
      if (k.count() == 0) {
        // never let Vert.x see a token with no key to check it against: it would not verify it
        return done(AuthOutcome.refused("invalid_token", "no key to verify tokens is configured"));
      }
      if (!alg.startsWith("HS")) {
        if (kid != null && !k.typeByKid().containsKey(kid)) {
          return done(AuthOutcome.refused("invalid_token", "the token is signed with an unknown key"));
        }
        if (kid != null && !k.typeByKid().get(kid).equals(keyType(alg))) {
          return done(AuthOutcome.refused("invalid_token", "the token's algorithm does not match its key"));
        }
      }
      // An RSA check costs tens of microseconds and an ECDSA one up to a millisecond here
      // (benchmarks/RESULTS.md): those run on a worker, never on the event loop. HMAC stays inline.
      TokenCredentials credentials = new TokenCredentials(token);
      Future<User> checked = alg.startsWith("HS") ? k.auth().authenticate(credentials)
          : vertx.<Future<User>>executeBlocking(() -> k.auth().authenticate(credentials), false)
              .compose(f -> f);
      return checked
          .map(user -> {
            JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
            AuthOutcome outcome = claims(claims, jwt, policy);
            if (outcome.error() == null && cacheKey != null && k == keys) {
              verified.put(cacheKey, new Verified(outcome.principal(), claims.getLong("exp") + jwt.leeway().toSeconds()));
            }
            return outcome;
          })
          .otherwise(err -> AuthOutcome.refused("invalid_token", reason(err, parts[1], jwt)));
    }).otherwise(err -> AuthOutcome.unavailable("the token issuer's keys cannot be fetched; try again shortly"));
  }

  private static Future<AuthOutcome> done(AuthOutcome outcome) {
    return Future.succeededFuture(outcome);
  }

  private static String keyType(String alg) {
    return alg.startsWith("ES") ? "EC" : alg.startsWith("HS") ? "oct" : "RSA";
  }

  /**
   * Vert.x's reasons, reduced to a few that tell the caller what to fix and nothing more. Vert.x
   * says "expired" for exp, nbf and iat alike; the (already refused) payload tells which it was.
   */
  private static String reason(Throwable err, String payload, JwtConfig jwt) {
    String m = err.getMessage() == null ? "" : err.getMessage().toLowerCase(Locale.ROOT);
    if (m.contains("expired")) {
      long now = System.currentTimeMillis() / 1000 + jwt.leeway().toSeconds();
      try {
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
        if ((claims.getValue("nbf") instanceof Number nbf && nbf.longValue() > now)
            || (claims.getValue("iat") instanceof Number iat && iat.longValue() > now)) {
          return "the token is not valid yet";
        }
      } catch (RuntimeException e) {
        // not readable: the generic reason below is all there is to say
      }
      return "the token has expired";
    }
    if (m.contains("nbf") || m.contains("not before") || m.contains("iat")) {
      return "the token is not valid yet";
    }
    if (m.contains("audience")) {
      return "the token is not for this audience";
    }
    if (m.contains("issuer")) {
      return "the token is not from the expected issuer";
    }
    return "the token's signature or claims are not valid";
  }

  private static AuthOutcome claims(JsonObject claims, JwtConfig jwt, AccessPolicy policy) {
    if (!(claims.getValue("exp") instanceof Number)) {
      return AuthOutcome.refused("invalid_token", "the token has no expiry (exp)");
    }
    Object user = claims.getValue(jwt.userClaim());
    if (!(user instanceof String subject) || subject.isEmpty()) {
      return AuthOutcome.refused("invalid_token", "the token names no user (" + jwt.userClaim() + ")");
    }
    Object team = claims.getValue(jwt.teamClaim());
    List<String> roles = new ArrayList<>();
    Object named = claims.getValue(jwt.rolesClaim());
    if (named instanceof JsonArray list) {
      list.forEach(r -> roles.add(String.valueOf(r)));
    } else if (named instanceof String s) {
      for (String r : s.split("[ ,]+")) {
        if (!r.isEmpty()) {
          roles.add(r);
        }
      }
    }
    Object jti = claims.getValue("jti");
    return AuthOutcome.ok(new Principal(subject, team instanceof String t ? t : null, policy.roles(roles),
        jti instanceof String j ? j : null, "jwt"));
  }

  /** The current keys; {@code refresh} fetches them again unless that was done within the floor. */
  private Future<Keys> keys(JwtConfig jwt, boolean refresh) {
    if (!jwt.equals(config)) {
      config = jwt;
      keys = null;
      verified.clear();
      loading = null;
      lastFetchNanos = Long.MIN_VALUE / 2;
    }
    long now = System.nanoTime();
    long age = now - lastFetchNanos;
    boolean stale = jwt.jwksUrl() != null
        && ((refresh && age >= jwt.refreshFloor().toNanos()) || age >= jwt.maxAge().toNanos());
    if (keys != null && !stale) {
      return Future.succeededFuture(keys);
    }
    Future<Keys> pending = loading;
    if (pending == null) {
      lastFetchNanos = now;
      Future<Keys> next = fetch(jwt).map(this::build);
      loading = next;
      pending = next;
      next.onComplete(ar -> {
        if (loading == next) {
          loading = null;
        }
        if (ar.succeeded() && jwt.equals(config)) {
          keys = ar.result();
          verified.clear(); // tokens of a removed key must be checked again
        }
      });
    }
    // a failed refresh keeps the keys already known
    return keys == null ? pending : pending.otherwise(err -> keys);
  }

  private Future<JsonArray> fetch(JwtConfig jwt) {
    Future<Buffer> body;
    if (jwt.jwksFile() != null) {
      body = vertx.fileSystem().readFile(jwt.jwksFile().toString());
    } else if (jwt.jwksUrl() != null) {
      body = http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(jwt.jwksUrl()).setTimeout(5000))
          .compose(req -> req.send().compose(res -> res.statusCode() == 200 ? res.body()
              : Future.failedFuture("JWKS answered " + res.statusCode())));
    } else {
      return Future.succeededFuture(new JsonArray());
    }
    return body.map(b -> {
      JsonArray list = new JsonObject(b).getJsonArray("keys");
      return list == null ? new JsonArray() : list;
    });
  }

  private Keys build(JsonArray jwks) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwtOptions(config));
    Map<String, String> types = new HashMap<>();
    int count = 0;
    for (int i = 0; i < jwks.size(); i++) {
      if (!(jwks.getValue(i) instanceof JsonObject jwk) || "enc".equals(jwk.getString("use"))) {
        continue;
      }
      String kty = jwk.getString("kty");
      if (!"RSA".equals(kty) && !"EC".equals(kty)) {
        continue; // symmetric keys come from the configured secret only, never from a JWKS
      }
      JsonObject key = jwk.copy();
      if (key.getString("alg") == null) {
        key.put("alg", "EC".equals(kty) ? ("P-384".equals(key.getString("crv")) ? "ES384" : "ES256") : "RS256");
      }
      if (!config.algorithms().contains(key.getString("alg"))) {
        continue;
      }
      options.addJwk(key);
      count++;
      if (key.getString("kid") != null) {
        types.put(key.getString("kid"), kty);
      }
    }
    if (config.secret() != null) {
      for (String alg : config.algorithms()) {
        if (alg.startsWith("HS")) {
          options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(config.secret().value()));
          count++;
        }
      }
    }
    return new Keys(JWTAuth.create(vertx, options), Map.copyOf(types), count);
  }

  private static JWTOptions jwtOptions(JwtConfig jwt) {
    JWTOptions o = new JWTOptions().setLeeway((int) jwt.leeway().toSeconds());
    if (jwt.issuer() != null) {
      o.setIssuer(jwt.issuer());
    }
    if (jwt.audience() != null) {
      o.setAudience(List.of(jwt.audience()));
    }
    return o;
  }
}
