package io.portcullis.e2e;

import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The log canary: a workload whose prompts, completions, gateway keys, JWTs, the JWT secret,
 * provider keys and the access log's hash key carry unique canary strings — through success,
 * streaming, failover after a provider quoted a refused key back, upstream failures, refused
 * credentials, malformed bodies and an exception whose message holds a credential. Every line the
 * production logback config writes (all appenders, through their real encoders) is captured; no
 * canary may appear in it, while the lines themselves must be there (the test would otherwise
 * pass by logging nothing).
 */
class LogCanaryTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  static String canary(String label) {
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    StringBuilder s = new StringBuilder("cnry").append(label);
    for (int i = 0; i < 20; i++) {
      s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  /** Points every output appender of the logback config at one buffer; returns how to undo it. */
  static Runnable capture(OutputStream sink) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    List<OutputStreamAppender<ILoggingEvent>> outputs = new ArrayList<>();
    for (Logger logger : context.getLoggerList()) {
      for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
        collect(it.next(), outputs);
      }
    }
    assertThat(outputs).as("the config's console appenders").hasSizeGreaterThanOrEqualTo(2);
    for (OutputStreamAppender<ILoggingEvent> a : outputs) {
      a.setOutputStream(sink);
    }
    return () -> outputs.forEach(a -> a.setOutputStream(a.getName().contains("ACCESS") ? System.out : System.err));
  }

  @SuppressWarnings("unchecked")
  private static void collect(Appender<ILoggingEvent> a, List<OutputStreamAppender<ILoggingEvent>> out) {
    if (a instanceof OutputStreamAppender<ILoggingEvent> o && !out.contains(o)) {
      out.add(o);
    } else if (a instanceof AsyncAppenderBase<?> async) {
      for (Iterator<? extends Appender<?>> it = ((AsyncAppenderBase<ILoggingEvent>) async).iteratorForAppenders(); it.hasNext(); ) {
        collect((Appender<ILoggingEvent>) it.next(), out);
      }
    }
  }

  @Test
  void noCanaryReachesAnyLog() throws Exception {
    String prompt = canary("Prompt");
    String providerKey = "sk-" + canary("ProviderKey");
    String otherProviderKey = canary("OtherProviderKey");
    String jwtSecret = canary("JwtSecret") + canary("More");
    String hashKey = canary("HashKey");
    String email = canary("Mail").toLowerCase() + "@example.com";
    String openAiShaped = "sk-proj-" + canary("Shaped") + canary("Shaped2") + "T3BlbkFJ" + canary("Tail");
    Path keyFile = Files.createTempFile("keys", ".yaml");
    String[] key = io.portcullis.auth.ApiKeyFormat.generate();
    io.portcullis.config.KeyFile.write(keyFile, List.of(
        new io.portcullis.config.StoredKey(key[1], key[2], "dana", null, List.of("r"), Instant.now(), null, false)));
    String config = """
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {host: 127.0.0.1, port: 0}
        scrub: {enabled: true, rules: {email: {request_action: pseudonymize}}}
        observe: {access_log: {enabled: true, prompts: hash, hash_key: "HASHKEY"}}
        auth:
          enabled: true
          api_keys: {file: "KEYFILE"}
          jwt: {secret: "JWTSECRET"}
          roles: [{name: r, models: ["*"]}]
          default_roles: [r]
        providers:
          - {name: mock, base_url: "${MOCK_URL}", api_keys: ["PROVIDERKEY"]}
          - {name: strict, base_url: "${MOCK_URL}", api_keys: ["OTHERKEY"]}
        models:
          - {name: chat, targets: [{provider: mock, model: m}]}
          - {name: flaky, targets: [{provider: strict, model: "m@status=401"}, {provider: mock, model: m}]}
          - {name: broken, targets: [{provider: strict, model: "m@status=500"}]}
        """.replace("KEYFILE", keyFile.toString()).replace("HASHKEY", hashKey).replace("JWTSECRET", jwtSecret)
        .replace("PROVIDERKEY", providerKey).replace("OTHERKEY", otherProviderKey);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    OutputStream sink = new PrintStream(captured, true, StandardCharsets.UTF_8);
    Runnable restore = capture(sink);
    io.vertx.core.Vertx signerVertx = io.vertx.core.Vertx.vertx();
    String lastId;
    String jwt;
    try (GatewayFixture f = new GatewayFixture(config)) {
      Map<String, String> apiKey = Map.of("authorization", "Bearer " + key[0]);
      jwt = io.vertx.ext.auth.jwt.JWTAuth.create(signerVertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
              .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwtSecret)))
          .generateToken(new JsonObject().put("sub", "erin"), new io.vertx.ext.auth.JWTOptions().setExpiresInMinutes(5));
      String text = "/echo " + prompt + " mail " + email + " key " + openAiShaped;
      // served, streamed, with a JWT: the completions echo the prompt (the mock's /echo)
      HttpResponse<String> served = f.post("/v1/chat/completions", chat("chat", false, text), apiKey);
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.body()).contains(prompt); // the canary really went through the gateway
      // the email was pseudonymized: the provider got a placeholder, the caller gets the address back
      assertThat(served.body()).contains(email);
      assertThat(f.mock.last().body()).doesNotContain(email).contains("<EMAIL_1>");
      assertThat(f.post("/v1/chat/completions", chat("chat", true, text), apiKey).body()).contains(prompt);
      assertThat(f.post("/v1/chat/completions", chat("chat", false, text), Map.of("authorization", "Bearer " + jwt)).statusCode())
          .isEqualTo(200);
      // failover after a provider quoted the refused key back in its error body (logged, redacted)
      assertThat(f.post("/v1/chat/completions", chat("flaky", false, text), apiKey).statusCode()).isEqualTo(200);
      assertThat(f.mock.seen().stream().anyMatch(r -> r.headers().toString().contains(otherProviderKey))).isTrue();
      // an upstream failure, refused credentials, a malformed body holding the canaries
      assertThat(f.post("/v1/chat/completions", chat("broken", false, text), apiKey).statusCode()).isEqualTo(502);
      String wrongSecret = canary("WrongSecret") + "0123456789abcdef";
      assertThat(f.post("/v1/chat/completions", chat("chat", false, text),
          Map.of("authorization", "Bearer pc-" + key[1] + "-" + wrongSecret.substring(0, 40))).statusCode()).isEqualTo(401);
      assertThat(f.post("/v1/chat/completions", chat("chat", false, text), Map.of("authorization", "Bearer " + openAiShaped))
          .statusCode()).isEqualTo(401);
      assertThat(f.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[" + prompt + jwt, apiKey).statusCode())
          .isEqualTo(400);
      // an exception whose message and cause quote credentials, logged by some part of the code
      LoggerFactory.getLogger("io.portcullis.canary").error("upstream call failed",
          new IllegalStateException("request had Authorization: Bearer " + jwt + " and key " + providerKey,
              new RuntimeException("x-api-key=" + otherProviderKey + " secret " + jwtSecret)));
      HttpResponse<String> last = f.post("/v1/chat/completions", chat("chat", false, "done"), apiKey);
      lastId = last.headers().firstValue("x-request-id").orElseThrow();
      long deadline = System.nanoTime() + 5_000_000_000L; // the appenders are asynchronous
      while (!captured.toString(StandardCharsets.UTF_8).contains(lastId) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(200);
    } finally {
      signerVertx.close();
      restore.run();
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    // the lines are there: an access line per request, the provider's error, the exception with its trace
    assertThat(logs).contains("\"request_id\":\"" + lastId + "\"").contains("\"prompt_hmac\":").contains("\"completion_hmac\":")
        .contains("provider strict answered 401").contains("Incorrect API key provided: [REDACTED:")
        .contains("IllegalStateException").contains("at io.portcullis.e2e.LogCanaryTest").contains("\"principal\":\"dana\"")
        .contains("\"credential\":\"" + key[1] + "\"").contains("\"pseudonymized\":{\"email\":1}");
    assertThat(logs.lines().filter(l -> l.startsWith("{\"ts\":")).count()).isGreaterThanOrEqualTo(9);
    for (String secret : List.of(prompt, providerKey, otherProviderKey, jwtSecret, hashKey, email, openAiShaped, key[2], jwt)) {
      assertThat(logs).as("a canary in the logs").doesNotContain(secret);
    }
    assertThat(logs).as("any canary, or a piece of one").doesNotContain("cnry");
  }
}
