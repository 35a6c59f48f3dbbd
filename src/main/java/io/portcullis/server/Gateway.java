package io.portcullis.server;

import io.portcullis.admin.AdminApi;
import io.portcullis.audit.AuditEntry;
import io.portcullis.audit.AuditTrail;
import io.portcullis.audit.AuditTrails;
import io.portcullis.auth.AuthFailures;
import io.portcullis.auth.AuthMetrics;
import io.portcullis.auth.Blocklist;
import io.portcullis.auth.FailureCounter;
import io.portcullis.auth.KeyCache;
import io.portcullis.auth.KeyChanges;
import io.portcullis.auth.RedisKeyStore;
import io.portcullis.config.ClientAddressConfig;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.ConfigReloader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RedisClients;
import io.portcullis.config.ServerConfig;
import io.portcullis.config.TlsConfig;
import io.portcullis.forward.UpstreamMetrics;
import io.portcullis.guard.ConnectionCounts;
import io.portcullis.guard.GuardMetrics;
import io.portcullis.ingress.Snapshot;
import io.portcullis.limit.LimitMetrics;
import io.portcullis.limit.LimitScripts;
import io.portcullis.limit.LocalLimiter;
import io.portcullis.limit.TokenCounter;
import io.portcullis.mock.MockProviderVerticle;
import io.portcullis.mock.MockStats;
import io.portcullis.observe.AccessLog;
import io.portcullis.observe.AdminVerticle;
import io.portcullis.observe.LogRedaction;
import io.portcullis.observe.Metrics;
import io.portcullis.observe.Readiness;
import io.portcullis.observe.RequestMetrics;
import io.portcullis.observe.SpendLedger;
import io.portcullis.observe.Tracing;
import io.portcullis.observe.UsageAnomalies;
import io.portcullis.scrub.ScrubMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway process: the mock provider (when enabled), the gateway verticles, the admin
 * server and the config reloader, started and stopped in the right order.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final AtomicReference<Snapshot> snapshot;
  private final Readiness readiness = new Readiness();
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private final MockStats mockStats = new MockStats();
  /** The registry behind /metrics. */
  private final Metrics metrics;
  private final ScrubMetrics scrubMetrics;
  /** Failed authentications per client IP, shared by the event loops of this process. */
  private final FailureCounter authFailures = new FailureCounter();
  /** The in-process limiter: the limiter without Redis, and the local fallback with it. */
  private final LocalLimiter localLimiter = new LocalLimiter(System::currentTimeMillis);
  private String gatewayDeployment;
  private String adminDeployment;
  private String mockDeployment;
  private AdminVerticle admin;
  private MockProviderVerticle mock;
  private ConfigReloader reloader;
  private KeyChanges keyChanges;
  private AuditTrail audit;
  private Redis redis;
  private long spendFlush = -1;
  private Future<Void> stopping;

  private final ProcessWide shared;

  private Gateway(Vertx vertx, GatewayConfig config, Metrics metrics) {
    // the tokenizer and the Lua scripts are read here, on the starting thread, never on an event loop
    TokenCounter.load();
    LimitScripts.SLIDING_WINDOW.text();
    AuthFailures.SCRIPT.text();
    this.vertx = vertx;
    this.metrics = metrics;
    this.scrubMetrics = new ScrubMetrics(metrics.registry());
    this.shared = new ProcessWide(
        new RequestMetrics(metrics.registry()), scrubMetrics,
        new AuthMetrics(metrics.registry()), new LimitMetrics(metrics.registry()),
        new UpstreamMetrics(metrics.registry()), authFailures, localLimiter,
        new UsageAnomalies(metrics.registry(), System::currentTimeMillis), new AccessLog(),
        new GuardMetrics(metrics.registry()), new ConnectionCounts(metrics.registry()), new KeyCache(), new WarmupGate(),
        new Blocklist(), new SpendLedger(), Tracing.of(config.observe().tracing()));
    LogRedaction.bridgeJavaUtilLogging();
    LogRedaction.secretsOf(this, config);
    this.snapshot = new AtomicReference<>(Snapshots.of(config));
  }

  /** Starts a gateway from a validated config; with a file, it also reloads on change and SIGHUP. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Path file, ConfigLoader loader) {
    return start(vertx, config, file, loader, new Metrics(config.observe().metrics()));
  }

  /**
   * The same, reporting to {@code metrics} (made before the Vert.x instance when Vert.x's own meters
   * should land in it too).
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Path file, ConfigLoader loader,
      Metrics metrics) {
    Gateway g = new Gateway(vertx, config, metrics);
    return g.deploy(config).compose(v -> Warmup.run(vertx, config, g.port(), g.shared.warmup())).compose(v -> {
      if (file == null) {
        return Future.succeededFuture();
      }
      g.reloader = new ConfigReloader(vertx, file, loader, g::apply);
      g.reloader.reported(g::audited);
      g.reloader.alsoWatch(watchedFiles(config));
      return g.reloader.watch(Duration.ofSeconds(2));
    }).map(v -> {
      g.readiness.started();
      return g;
    });
  }

  /** A reload in the audit trail: the config's hash, and why it was refused. */
  private void audited(ConfigReloader.Outcome o) {
    JsonObject detail = new JsonObject().put("sha256", o.sha256());
    AuditEntry entry = o.problems() == null ? AuditEntry.ok("system", "config.reload", "config", detail)
        : new AuditEntry(null, Instant.now(), "system", "config.reload", "config", "refused",
            detail.put("problems", o.problems().size()));
    audit.append(entry).onFailure(e -> LOG.warn("config reload not written to the audit trail: {}", e.toString()));
  }

  /** The shared Redis of the process's own work (blocked set, spend sums, the admin API), or null without one. */
  private Redis processRedis(GatewayConfig config) {
    if (redis == null && config.redis().enabled()) {
      redis = Redis.createClient(vertx, RedisClients.options(config.redis()));
    }
    return redis;
  }

  private Future<Void> deploy(GatewayConfig config) {
    audit = AuditTrails.open(vertx, config, true);
    Redis redisClient = processRedis(config);
    Duration timeout = config.redis().timeout();
    spendFlush = vertx.setPeriodic(1000, id -> shared.spend().flush(redisClient, timeout));
    Future<Void> mockStarted = Future.succeededFuture();
    if (config.mock().enabled()) {
      mock = new MockProviderVerticle(config.mock(), mockStats);
      mockStarted = vertx.deployVerticle(mock).map(id -> {
        mockDeployment = id;
        LOG.info("mock provider listening on {}:{}", config.mock().host(), mock.actualPort());
        return null;
      });
    }
    int instances = config.server().instances() > 0 ? config.server().instances() : Runtime.getRuntime().availableProcessors();
    return mockStarted
        .compose(v -> vertx.deployVerticle(() -> {
          GatewayVerticle verticle = new GatewayVerticle(snapshot::get, shared);
          gateways.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(instances)))
        .compose(id -> {
          gatewayDeployment = id;
          LOG.info("gateway listening on {}:{} ({} event loops)", config.server().host(), port(), instances);
          if (!config.auth().enabled()) {
            LOG.warn("authentication is off: every caller may use every model (set auth.enabled)");
          } else if (config.redis().enabled()) {
            // blocks live in Redis whenever it is configured, whatever the callers authenticate with
            RedisKeyStore blocks = new RedisKeyStore(RedisAPI.api(redisClient), timeout);
            keyChanges = new KeyChanges(vertx, config.redis(), shared.keyCache(), () -> shared.blocklist().refresh(blocks));
            keyChanges.start();
          }
          if (!config.admin().enabled()) {
            return Future.succeededFuture();
          }
          AdminApi api = new AdminApi(snapshot::get, audit, shared.spend(), redisClient,
              c -> redisClient == null ? null : new RedisKeyStore(RedisAPI.api(redisClient), c.redis().timeout()));
          admin = new AdminVerticle(config.admin(), readiness, metrics, () -> snapshot.get().config(), api::mount);
          return vertx.deployVerticle(admin).map(aid -> {
            adminDeployment = aid;
            LOG.info("admin listening on {}:{}", config.admin().host(), admin.actualPort());
            return null;
          });
        });
  }

  /** Swaps in a new validated config. Listener and pool settings need a restart to change. */
  void apply(GatewayConfig next) {
    GatewayConfig current = snapshot.get().config();
    if (!Objects.equals(withoutTls(current), withoutTls(next)) || !Objects.equals(current.admin(), next.admin())
        || !Objects.equals(current.mock(), next.mock()) || current.upstream().poolSize() != next.upstream().poolSize()) {
      LOG.warn("config reload: server, admin, mock and upstream.pool_size changes take effect on restart");
    }
    LogRedaction.secretsOf(this, next); // rotated keys are masked from now on
    snapshot.set(Snapshots.of(next));
    gateways.forEach(g -> g.reloadTls(next)); // a renewed certificate is served from now on
    if (reloader != null) {
      reloader.alsoWatch(watchedFiles(next));
    }
  }

  /**
   * The files a config reads whose change a reload applies: the API key file and the listener's TLS
   * files (the upstream trust file is read by clients made at start: it needs a restart).
   */
  private static List<Path> watchedFiles(GatewayConfig c) {
    TlsConfig tls = c.server().tls();
    return Arrays.asList(c.auth().keyFile(), tls.certFile(), tls.keyFile(), tls.pkcs12File(), tls.clientCaFile());
  }

  /**
   * The listener settings that need a restart: all but the certificate files, which a reload reads
   * again, the connection timeouts and caps, which each new connection reads from the snapshot, and
   * the trusted proxies, which each request reads (the PROXY protocol is the listener's: it stays).
   */
  private static ServerConfig withoutTls(GatewayConfig c) {
    ServerConfig s = c.server();
    return new ServerConfig(s.host(), s.port(), s.instances(), s.maxBodyBytes(), s.readinessDelay(),
        s.drainTimeout(), s.tls().enabled() ? TlsConfig.off().withEnabled() : TlsConfig.off(), null, s.h2c(),
        new ClientAddressConfig(List.of(), "", s.clients().proxyProtocol()), ServerConfig.Warmup.OFF);
  }

  /** Reloads the config file now (as SIGHUP does). */
  public Future<Boolean> reload() {
    return reloader == null ? Future.succeededFuture(false) : reloader.reload();
  }

  public void reloadOnSighup() {
    if (reloader != null) {
      reloader.reloadOnSighup();
    }
  }

  /**
   * Graceful stop: readiness fails first, then after the readiness delay the listeners stop
   * accepting while in-flight requests and streams get up to the drain timeout; then all closes.
   */
  public synchronized Future<Void> stop() {
    if (stopping == null) {
      stopping = drainAndStop();
    }
    return stopping;
  }

  private Future<Void> drainAndStop() {
    readiness.draining();
    if (reloader != null) {
      reloader.stop();
    }
    GatewayConfig config = snapshot.get().config();
    Promise<Void> delayed = Promise.promise();
    long delay = config.server().readinessDelay().toMillis();
    LOG.info("shutting down: /readyz fails from now, new requests are taken for {} ms more (server.readiness_delay)", delay);
    if (delay > 0) {
      vertx.setTimer(delay, t -> delayed.complete());
    } else {
      delayed.complete();
    }
    long[] drainStarted = {0};
    return delayed.future()
        .compose(v -> {
          drainStarted[0] = System.nanoTime();
          RequestMetrics requests = shared.requests();
          LOG.info("draining: the listener takes no new connections; {} requests in flight, {} of them streams, get up to {} ms (server.drain_timeout)",
              requests.inFlight(), requests.streamsInFlight(), config.server().drainTimeout().toMillis());
          return gatewayDeployment == null ? Future.succeededFuture() : vertx.undeploy(gatewayDeployment);
        })
        .compose(v -> adminDeployment == null ? Future.succeededFuture() : vertx.undeploy(adminDeployment))
        .compose(v -> mockDeployment == null ? Future.succeededFuture() : vertx.undeploy(mockDeployment))
        // the last second's spend, and the exporter's last batch of spans (its shutdown waits for
        // the collector: on a worker)
        .compose(v -> shared.spend().flush(redis, config.redis().timeout()).otherwiseEmpty())
        .compose(v -> vertx.executeBlocking(() -> {
          shared.tracing().close();
          return null;
        }).otherwiseEmpty())
        .onComplete(r -> {
          vertx.cancelTimer(spendFlush);
          audit.close();
          if (redis != null) {
            redis.close();
          }
          if (keyChanges != null) {
            keyChanges.stop();
          }
          // a cut request leaves the in-flight count as its connection closes, so the time tells
          long tookMs = (System.nanoTime() - drainStarted[0]) / 1_000_000;
          if (tookMs >= config.server().drainTimeout().toMillis()) {
            LOG.warn("stopped: the drain timeout passed ({} ms) and the requests still running were cut", tookMs);
          } else {
            LOG.info("stopped: every request in flight finished, drained in {} ms", tookMs);
          }
        })
        .mapEmpty();
  }

  public int port() {
    return gateways.isEmpty() ? -1 : gateways.get(0).actualPort();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.actualPort();
  }

  public ScrubMetrics scrubMetrics() {
    return scrubMetrics;
  }

  public MockStats mockStats() {
    return mockStats;
  }

  public Snapshot snapshot() {
    return snapshot.get();
  }

  /** The feed of key changes, or null when keys are not kept in Redis. */
  public KeyChanges keyChanges() {
    return keyChanges;
  }

  public Readiness readiness() {
    return readiness;
  }
}
