package io.portcullis.auth;

import io.portcullis.config.AuthConfig;
import io.portcullis.config.AuthConfig.JwtConfig;
import io.portcullis.config.AuthConfig.RoleConfig;
import io.portcullis.config.Secret;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What verifying a caller costs per request: an API key from the key file, and JWTs (HS256, RS256,
 * ES256) checked in full every time and served from the verified-token cache. RS256 and ES256 run on
 * a Vert.x worker, so their figures include the hop there and back.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AuthBenchmark {

  static final String SECRET = "a-shared-secret-that-is-long-enough-for-hs256";

  Vertx vertx;
  AccessPolicy policy;
  FileKeyStore keyFile;
  ApiKeyAuthenticator apiKeys = new ApiKeyAuthenticator(Instant::now);
  String apiKey;
  JwtAuthenticator uncached;
  JwtAuthenticator cached;
  JwtConfig jwtConfig;
  String hs256;
  String rs256;
  String es256;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    AuthConfig config = new AuthConfig(true, null, List.of(), false, Duration.ofHours(1), null,
        new AuthConfig.BruteForceConfig(20, Duration.ofMinutes(1), Duration.ofMinutes(5)),
        List.of(new RoleConfig("user", List.of("*"), RoleConfig.ENDPOINTS, null)), List.of("user"), AuthConfig.KeyCacheConfig.DEFAULTS);
    policy = new AccessPolicy(config);
    String[] g = ApiKeyFormat.generate();
    apiKey = g[0];
    keyFile = new FileKeyStore(null, List.of(new StoredKey(g[1], g[2], "alice", null, List.of("user"), Instant.now(), null, false)));

    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    String rsaPem = pem("PRIVATE KEY", rsa.getPrivate().getEncoded());
    String ecPem = pem("PRIVATE KEY", ec.getPrivate().getEncoded());
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(rsaPem).setId("r1"))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(ecPem).setId("e1")));
    JsonObject claims = new JsonObject().put("sub", "alice").put("roles", new JsonArray().add("user"));
    hs256 = signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(60));
    rs256 = signer.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setExpiresInMinutes(60)
        .setHeader(new JsonObject().put("kid", "r1")));
    es256 = signer.generateToken(claims, new JWTOptions().setAlgorithm("ES256").setExpiresInMinutes(60)
        .setHeader(new JsonObject().put("kid", "e1")));

    Path jwks = Files.createTempFile("jwks", ".json");
    Files.writeString(jwks, new JsonObject().put("keys", new JsonArray()
        .add(rsaJwk(rsa)).add(ecJwk(ec))).encode());
    jwtConfig = new JwtConfig(new Secret(SECRET), jwks, null, JwtConfig.ALGORITHMS, null, null, Duration.ofSeconds(30),
        8192, Duration.ofSeconds(30), Duration.ofMinutes(5), "sub", "team", "roles");
    uncached = new JwtAuthenticator(vertx, vertx.createHttpClient(), 0);
    cached = new JwtAuthenticator(vertx, vertx.createHttpClient(), 10_000);
    for (JwtAuthenticator a : List.of(uncached, cached)) {
      for (String t : List.of(hs256, rs256, es256)) {
        AuthOutcome o = a.authenticate(t, jwtConfig, policy).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (o.error() != null) {
          throw new IllegalStateException(o.error().message());
        }
      }
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] unsigned(java.math.BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[length];
    int from = Math.max(0, raw.length - length);
    System.arraycopy(raw, from, out, length - (raw.length - from), raw.length - from);
    return out;
  }

  static JsonObject rsaJwk(KeyPair pair) {
    java.security.interfaces.RSAPublicKey k = (java.security.interfaces.RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", "r1").put("alg", "RS256")
        .put("n", b64(unsigned(k.getModulus(), 256))).put("e", b64(k.getPublicExponent().toByteArray()));
  }

  static JsonObject ecJwk(KeyPair pair) {
    java.security.interfaces.ECPublicKey k = (java.security.interfaces.ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", "e1").put("alg", "ES256").put("crv", "P-256")
        .put("x", b64(unsigned(k.getW().getAffineX(), 32))).put("y", b64(unsigned(k.getW().getAffineY(), 32)));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close();
  }

  /** Waits for the outcome (asymmetric checks run on a worker, so they complete a little later). */
  private static AuthOutcome now(Future<AuthOutcome> f) {
    AuthOutcome o;
    try {
      o = f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    if (o.error() != null) {
      throw new IllegalStateException(o.error().message());
    }
    return o;
  }

  @Benchmark
  public AuthOutcome apiKey() {
    return now(apiKeys.authenticate(apiKey, keyFile, null, policy));
  }

  @Benchmark
  public AuthOutcome jwtHs256() {
    return now(uncached.authenticate(hs256, jwtConfig, policy));
  }

  @Benchmark
  public AuthOutcome jwtRs256() {
    return now(uncached.authenticate(rs256, jwtConfig, policy));
  }

  @Benchmark
  public AuthOutcome jwtEs256() {
    return now(uncached.authenticate(es256, jwtConfig, policy));
  }

  @Benchmark
  public AuthOutcome jwtRs256Cached() {
    return now(cached.authenticate(rs256, jwtConfig, policy));
  }
}
