package io.portcullis.server;

import io.portcullis.config.AuthConfig;
import io.portcullis.config.Cidr;
import io.portcullis.config.ClientAddressConfig;
import io.portcullis.config.ConfigException;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.MockConfig;
import io.portcullis.config.ObserveConfig;
import io.portcullis.config.ServerConfig;
import io.portcullis.mock.MockProviderVerticle;
import io.portcullis.mock.MockStats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up pass ({@code server.warmup}): before the instance reports ready, requests of every
 * kind go through its own listener and the whole pipeline to a private mock provider on loopback.
 * Its requests (and only they, by a random token: {@link WarmupGate}) are served by a warm-up config:
 * the real guards, limits, redaction and stream settings, but only the warm-up models (so nothing
 * reaches a real provider or costs money), authentication off (the warm-up has no credential), no
 * access log and no usage baselines, and each request is the only one of its (documentation range)
 * address, so the real limits run without any warm-up request counting against a real caller.
 * Every other request is served by the real config all along.
 */
final class Warmup {

  static final String MODEL = "portcullis-warmup";
  static final String EMBEDDING_MODEL = "portcullis-warmup-embed";
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  private static final String TEXT = "/echo warm-up: a note for ops@example.com about the gateway, card 4111 1111 1111 1111.";
  private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + TEXT + "\"}]}";
  private static final String CHAT_STREAM = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"" + TEXT + "\"}]}";
  private static final String MESSAGES_STREAM = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"max_tokens\":64,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"" + TEXT + "\"}]}";
  private static final String EMBEDDINGS = "{\"model\":\"" + EMBEDDING_MODEL + "\",\"input\":\"warm-up\"}";

  private Warmup() {}

  /** The config served during the pass: the real one, with only the warm-up models, auth and the access log off. */
  static GatewayConfig config(GatewayConfig real, int mockPort) {
    GatewayConfig parts;
    try {
      // written as a config, so each provider type gets the defaults its section would have
      parts = Configs.loader(Map.of()).parse(PARTS.replace("BASE", "http://127.0.0.1:" + mockPort + "/v1"), Path.of("."));
    } catch (ConfigException e) {
      throw new IllegalStateException("the warm-up config is invalid: " + e.problems(), e);
    }
    AuthConfig a = real.auth();
    AuthConfig off = new AuthConfig(false, null, List.of(), false, a.rotationOverlap(), null, a.bruteForce(), a.roles(),
        a.defaultRoles(), a.keyCache());
    ObserveConfig o = real.observe();
    ObserveConfig.Anomaly a2 = o.anomaly(); // off: the warm-up's burst is nobody's usage baseline
    ObserveConfig quiet = new ObserveConfig(o.metrics(), o.vertxMetrics(), o.probeInterval(),
        new ObserveConfig.AccessLog(false, o.accessLog().prompts(), o.accessLog().maxChars(), o.accessLog().hashKey()),
        new ObserveConfig.Anomaly(false, a2.interval(), a2.halfLife(), a2.threshold(), a2.minRequests(), a2.minTokens(), a2.warmup(),
            a2.tighten(), a2.cooldown()), ObserveConfig.Tracing.OFF); // the warm-up's requests are nobody's trace
    // each warm-up request comes "from" an address of its own, so it is nobody's limit: the loopback
    // client is trusted to say so during the pass
    ServerConfig server = real.server().withClients(new ClientAddressConfig(List.of(Cidr.parse(host(real))),
        ClientAddressConfig.X_FORWARDED_FOR, false));
    return new GatewayConfig(server, real.admin(), real.upstream(), real.stream(), real.mock(), real.scrub(), off,
        real.limits(), real.redis(), quiet, real.guards(), real.web(), real.prices(), parts.providers(), parts.models());
  }

  private static final String PARTS = """
      providers:
        - name: portcullis-warmup-openai
          base_url: "BASE"
          api_keys: [warmup]
          timeouts: {connect: 2s, first_byte: 5s, idle: 5s, total: 10s}
        - name: portcullis-warmup-anthropic
          type: anthropic
          base_url: "BASE"
          api_keys: [warmup]
          timeouts: {connect: 2s, first_byte: 5s, idle: 5s, total: 10s}
      models:
        - name: MODEL
          targets: [{provider: portcullis-warmup-openai, model: m}, {provider: portcullis-warmup-anthropic, model: m}]
        - {name: EMBEDDING_MODEL, endpoints: [embeddings], targets: [{provider: portcullis-warmup-openai, model: e}]}
      """.replace("EMBEDDING_MODEL", EMBEDDING_MODEL).replace("MODEL", MODEL);

  /**
   * Runs the pass: starts the private mock, opens the gate to the warm-up config for requests with
   * its token, sends requests for the configured time, then closes the gate and stops the mock.
   * Never fails: a warm-up that goes wrong is logged and ends.
   */
  static Future<Void> run(Vertx vertx, GatewayConfig real, int port, WarmupGate gate) {
    ServerConfig.Warmup w = real.server().warmup();
    if (!w.enabled()) {
      return Future.succeededFuture();
    }
    if (real.server().clients().proxyProtocol()) {
      LOG.info("warm-up skipped: the listener expects the PROXY protocol, which the warm-up client does not speak");
      return Future.succeededFuture();
    }
    MockProviderVerticle mock = new MockProviderVerticle(new MockConfig(true, "127.0.0.1", 0, 0, 16, Duration.ZERO), new MockStats());
    long start = System.nanoTime();
    return vertx.deployVerticle(mock).compose(id -> {
      String token = gate.open(Snapshots.of(config(real, mock.actualPort())));
      boolean tls = real.server().tls().enabled();
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setSsl(tls).setTrustAll(tls)
          .setVerifyHost(false), new PoolOptions().setHttp1MaxSize(w.concurrency()));
      String host = host(real);
      int run = java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000);
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      long deadline = start + w.duration().toNanos();
      Promise<Void> done = Promise.promise();
      AtomicInteger running = new AtomicInteger(w.concurrency());
      for (int i = 0; i < w.concurrency(); i++) {
        loop(client, host, port, token, run, deadline, sent, failed, i, () -> {
          if (running.decrementAndGet() == 0) {
            done.complete();
          }
        });
      }
      return done.future().eventually(() -> {
        gate.close();
        return client.close();
      }).eventually(() -> vertx.undeploy(id)).onComplete(r -> LOG.info("warm-up: {} requests through the pipeline in {} ms ({} not 2xx)",
          sent.get(), (System.nanoTime() - start) / 1_000_000, failed.get()));
    }).otherwise(err -> {
      LOG.warn("warm-up did not run: {}", err.getClass().getSimpleName());
      return null;
    }).mapEmpty();
  }

  /** Where the warm-up client connects: the listener's own address, loopback for a wildcard. */
  private static String host(GatewayConfig real) {
    String h = real.server().host();
    return h.equals("0.0.0.0") || h.equals("::") ? "127.0.0.1" : h;
  }

  private static void loop(HttpClient client, String host, int port, String token, int run, long deadline, AtomicInteger sent,
      AtomicInteger failed, int turn, Runnable finished) {
    if (System.nanoTime() >= deadline) {
      finished.run();
      return;
    }
    RequestOptions req = new RequestOptions().setHost(host).setPort(port).setMethod(HttpMethod.POST)
        .putHeader("content-type", "application/json").putHeader(WarmupGate.HEADER, token);
    String body;
    switch (turn % 5) {
      case 0 -> { req.setURI("/v1/chat/completions"); body = CHAT; }
      case 1 -> { req.setURI("/v1/chat/completions"); body = CHAT_STREAM; }
      case 2 -> { req.setURI("/v1/messages").putHeader("anthropic-version", "2023-06-01"); body = MESSAGES_STREAM; }
      case 3 -> { req.setURI("/v1/embeddings"); body = EMBEDDINGS; }
      default -> { req.setURI("/v1/models").setMethod(HttpMethod.GET); body = null; }
    }
    int n = sent.incrementAndGet();
    // a documentation address (2001:db8::/32) per request: no request is limited by the others
    req.putHeader("x-forwarded-for", "2001:db8:" + Integer.toHexString(run) + "::" + Integer.toHexString(n >>> 16) + ":"
        + Integer.toHexString(n & 0xffff));
    client.request(req)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(res -> res.body().map(b -> res.statusCode()))
        .onComplete(ar -> {
          if (ar.failed() || ar.result() / 100 != 2) {
            failed.incrementAndGet();
          }
          loop(client, host, port, token, run, deadline, sent, failed, turn + 1, finished);
        });
  }
}
