package io.portcullis.auth;

import io.portcullis.ingress.Principal;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.AuthConfig;
import io.portcullis.config.AuthConfig.JwtConfig;
import io.portcullis.config.AuthConfig.RoleConfig;
import io.portcullis.config.Secret;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every attack on token verification, each with its own crafted token, against a real JWKS server. */
class JwtAuthenticatorTest {

  static final String SECRET = "a-shared-secret-that-is-long-enough-for-hs256";
  static Vertx vertx;
  static HttpServer issuer;
  static final AtomicReference<JsonArray> published = new AtomicReference<>(new JsonArray());
  static final AtomicInteger fetches = new AtomicInteger();
  static KeyPair rsa1;
  static KeyPair rsa2;
  static KeyPair ec1;
  static AccessPolicy policy;

  JwtAuthenticator jwt;
  Context context;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    rsa1 = g.generateKeyPair();
    rsa2 = g.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"));
    ec1 = e.generateKeyPair();
    published.set(new JsonArray().add(rsaJwk("rsa-1", rsa1, "RS256")).add(ecJwk("ec-1", ec1)).add(rsaJwk("ps-1", rsa1, "PS256")));
    issuer = vertx.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      req.response().putHeader("content-type", "application/json").end(new JsonObject().put("keys", published.get()).encode());
    });
    issuer.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    policy = new AccessPolicy(new AuthConfig(true, null, List.of(), false, Duration.ofHours(1), null,
        new AuthConfig.BruteForceConfig(3, Duration.ofMinutes(1), Duration.ofMinutes(5)),
        List.of(new RoleConfig("chat", List.of("*"), RoleConfig.ENDPOINTS, null)), List.of(), AuthConfig.KeyCacheConfig.DEFAULTS));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static JwtConfig config(Duration floor) {
    return new JwtConfig(new Secret(SECRET), null, "http://127.0.0.1:" + issuer.actualPort() + "/jwks",
        JwtConfig.ALGORITHMS, "https://issuer.example", "portcullis", Duration.ofSeconds(5), 4096, floor,
        Duration.ofMinutes(5), "sub", "team", "roles");
  }

  AuthOutcome check(String token, JwtConfig cfg) throws Exception {
    if (jwt == null) {
      jwt = new JwtAuthenticator(vertx, vertx.createHttpClient(), 1000);
      context = vertx.getOrCreateContext();
    }
    Promise<AuthOutcome> p = Promise.promise();
    context.runOnContext(v -> jwt.authenticate(token, cfg, policy).onComplete(p));
    return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  AuthOutcome check(String token) throws Exception {
    return check(token, config(Duration.ZERO));
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] unsigned(BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    if (raw.length == length) {
      return raw;
    }
    byte[] out = new byte[length];
    int from = Math.max(0, raw.length - length);
    System.arraycopy(raw, from, out, length - (raw.length - from), raw.length - from);
    return out;
  }

  static JsonObject rsaJwk(String kid, KeyPair pair, String alg) {
    RSAPublicKey k = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", alg).put("use", "sig")
        .put("n", b64(unsigned(k.getModulus(), 256))).put("e", b64(k.getPublicExponent().toByteArray()));
  }

  static JsonObject ecJwk(String kid, KeyPair pair) {
    ECPublicKey k = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", kid).put("alg", "ES256").put("crv", "P-256").put("use", "sig")
        .put("x", b64(unsigned(k.getW().getAffineX(), 32))).put("y", b64(unsigned(k.getW().getAffineY(), 32)));
  }

  static JsonObject claims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", "carol").put("team", "ops").put("roles", new JsonArray().add("chat"))
        .put("iss", "https://issuer.example").put("aud", "portcullis").put("iat", now).put("exp", now + 300).put("jti", "t-1");
  }

  static String token(String alg, String kid, JsonObject claims, Object key) throws Exception {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    if (kid != null) {
      header.put("kid", kid);
    }
    String signing = b64(header.encode()) + "." + b64(claims.encode());
    byte[] data = signing.getBytes(StandardCharsets.US_ASCII);
    byte[] sig;
    if (alg.startsWith("HS")) {
      Mac mac = Mac.getInstance("HmacSHA" + alg.substring(2));
      mac.init(new SecretKeySpec((byte[]) key, "HmacSHA" + alg.substring(2)));
      sig = mac.doFinal(data);
    } else {
      Signature s = switch (alg) {
        case "RS256" -> Signature.getInstance("SHA256withRSA");
        case "ES256" -> Signature.getInstance("SHA256withECDSAinP1363Format");
        default -> {
          Signature pss = Signature.getInstance("RSASSA-PSS");
          pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
          yield pss;
        }
      };
      s.initSign(((KeyPair) key).getPrivate());
      s.update(data);
      sig = s.sign();
    }
    return signing + "." + b64(sig);
  }

  @Test
  void acceptsEachAlgorithmAndMapsTheClaims() throws Exception {
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    for (String t : List.of(token("RS256", "rsa-1", claims(), rsa1), token("ES256", "ec-1", claims(), ec1),
        token("PS256", "ps-1", claims(), rsa1), token("HS256", null, claims(), secret))) {
      AuthOutcome ok = check(t);
      assertThat(ok.error()).as(t).isNull();
      assertThat(ok.principal()).isEqualTo(new Principal("carol", "ops", java.util.Set.of("chat"), "t-1", "jwt"));
    }
  }

  @Test
  void refusesUnsignedAndMalformedTokens() throws Exception {
    String good = token("RS256", "rsa-1", claims(), rsa1);
    String[] parts = good.split("\\.");
    String none = b64(new JsonObject().put("alg", "none").encode()) + "." + parts[1] + ".";
    String noneUpper = b64(new JsonObject().put("alg", "NONE").encode()) + "." + parts[1] + "." + parts[2];
    assertThat(check(none).error().message()).isEqualTo("unsigned tokens are refused");
    assertThat(check(noneUpper).error().message()).isEqualTo("unsigned tokens are refused");
    assertThat(check(parts[0] + "." + parts[1] + ".").error().message()).isEqualTo("the token has no signature");
    assertThat(check("not-a-token").error().code()).isEqualTo("invalid_token");
    assertThat(check("%%%." + parts[1] + "." + parts[2]).error().message()).isEqualTo("the token's header is not base64url JSON");
    assertThat(check(b64("[1,2]") + "." + parts[1] + "." + parts[2]).error().message()).isEqualTo("the token's header is not base64url JSON");
    assertThat(check(parts[0] + "." + "%%%" + "." + parts[2]).error().code()).isEqualTo("invalid_token");
    assertThat(check(good + "x".repeat(5000)).error().message()).contains("longer than 4096 bytes");
    // a flipped payload no longer matches its signature
    JsonObject forged = claims().put("sub", "mallory");
    assertThat(check(parts[0] + "." + b64(forged.encode()) + "." + parts[2]).error().message())
        .isEqualTo("the token's signature or claims are not valid");
  }

  @Test
  void refusesAlgorithmConfusion() throws Exception {
    // an HS256 token whose HMAC key is the RSA public key, naming the RSA key's kid
    byte[] publicKeyAsSecret = rsa1.getPublic().getEncoded();
    AuthOutcome confused = check(token("HS256", "rsa-1", claims(), publicKeyAsSecret));
    assertThat(confused.error()).isNotNull();
    // an ES256 token naming an RSA key
    assertThat(check(token("ES256", "rsa-1", claims(), ec1)).error().message()).isEqualTo("the token's algorithm does not match its key");
    // an algorithm not accepted by the config
    JwtConfig rsOnly = new JwtConfig(null, null, config(Duration.ZERO).jwksUrl(), List.of("RS256"), "https://issuer.example",
        "portcullis", Duration.ofSeconds(5), 4096, Duration.ZERO, Duration.ofMinutes(5), "sub", "team", "roles");
    assertThat(check(token("HS256", null, claims(), SECRET.getBytes(StandardCharsets.UTF_8)), rsOnly).error().message())
        .isEqualTo("the token's algorithm is not accepted");
  }

  @Test
  void checksTimeIssuerAudienceAndRequiredClaims() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    assertThat(check(token("RS256", "rsa-1", claims().put("exp", now - 60), rsa1)).error().message()).isEqualTo("the token has expired");
    assertThat(check(token("RS256", "rsa-1", claims().put("exp", now - 2), rsa1)).error()).isNull(); // within the leeway
    assertThat(check(token("RS256", "rsa-1", claims().put("nbf", now + 120), rsa1)).error().message()).isEqualTo("the token is not valid yet");
    assertThat(check(token("RS256", "rsa-1", claims().put("iss", "https://evil.example"), rsa1)).error().message())
        .isEqualTo("the token is not from the expected issuer");
    assertThat(check(token("RS256", "rsa-1", claims().put("aud", "someone-else"), rsa1)).error().message())
        .isEqualTo("the token is not for this audience");
    JsonObject noExp = claims();
    noExp.remove("exp");
    assertThat(check(token("RS256", "rsa-1", noExp, rsa1)).error().message()).isEqualTo("the token has no expiry (exp)");
    JsonObject noSub = claims();
    noSub.remove("sub");
    assertThat(check(token("RS256", "rsa-1", noSub, rsa1)).error().message()).isEqualTo("the token names no user (sub)");
  }

  @Test
  void followsKeyRotationAtTheIssuerWithoutRestart() throws Exception {
    JsonArray before = published.get();
    try {
      assertThat(check(token("RS256", "rsa-1", claims(), rsa1)).error()).isNull();
      assertThat(check(token("RS256", "rsa-2", claims(), rsa2)).error().message()).isEqualTo("the token is signed with an unknown key");
      // the issuer rotates: rsa-2 in, rsa-1 out
      published.set(new JsonArray().add(rsaJwk("rsa-2", rsa2, "RS256")));
      assertThat(check(token("RS256", "rsa-2", claims(), rsa2)).error()).isNull();
      assertThat(check(token("RS256", "rsa-1", claims(), rsa1)).error().message()).isEqualTo("the token is signed with an unknown key");
    } finally {
      published.set(before);
    }
  }

  @Test
  void unknownKeyIdsRefetchAtMostOncePerFloor() throws Exception {
    JwtConfig slow = config(Duration.ofMinutes(10));
    assertThat(check(token("RS256", "rsa-1", claims(), rsa1), slow).error()).isNull();
    int after = fetches.get();
    for (int i = 0; i < 20; i++) {
      assertThat(check(token("RS256", "made-up-" + i, claims(), rsa1), slow).error().message())
          .isEqualTo("the token is signed with an unknown key");
    }
    assertThat(fetches.get() - after).isLessThanOrEqualTo(1);
  }

  @Test
  void aSecretNeverVerifiesATokenMeantForAPublicKey() throws Exception {
    assertThat(Arrays.asList(JwtConfig.ALGORITHMS.toArray())).contains("HS256", "RS256", "ES256", "PS256");
    // no JWKS and no secret: nothing can verify, so nothing passes (Vert.x would skip the check)
    JwtConfig empty = new JwtConfig(null, null, null, List.of("RS256"), null, null, Duration.ofSeconds(5), 4096,
        Duration.ZERO, Duration.ofMinutes(5), "sub", "team", "roles");
    assertThat(check(token("RS256", null, claims(), rsa1), empty).error().message()).isEqualTo("no key to verify tokens is configured");
  }
}
