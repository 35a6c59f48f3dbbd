package io.portcullis;

import io.portcullis.admin.AdminTokenCommand;
import io.portcullis.auth.KeysCommand;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.MockConfig;
import io.portcullis.loadgen.SseLoadGenerator;
import io.portcullis.mock.MockProviderVerticle;
import io.portcullis.mock.MockStats;
import io.portcullis.observe.Metrics;
import io.portcullis.server.Configs;
import io.portcullis.server.Gateway;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Entry point: {@code portcullis [run|check|keys|admin-token|mock|sse-load]}; with no command it runs the
 * gateway. {@code -c} and {@code --help} are inherited: they may come before or after any
 * subcommand; a command that reads no config ({@code mock}, {@code sse-load}) refuses {@code -c}.
 */
@Command(name = "portcullis", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "portcullis 0.1.0",
    description = "An event-driven AI API gateway.",
    subcommands = {Portcullis.Run.class, Portcullis.Check.class, KeysCommand.class, AdminTokenCommand.class,
        Portcullis.Mock.class, Portcullis.SseLoad.class})
public final class Portcullis implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT,
      description = "config file (default: $PORTCULLIS_CONFIG or " + ConfigLoader.DEFAULT_FILE + ")")
  Path config;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree, with {@code -c} taken off the commands that read no config. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Portcullis());
    for (String noConfig : List.of("mock", "sse-load", "admin-token")) {
      CommandSpec sub = cli.getSubcommands().get(noConfig).getCommandSpec();
      sub.remove(sub.findOption("--config"));
    }
    return cli;
  }

  @Override
  public Integer call() throws Exception {
    Run run = new Run();
    run.top = this;
    return run.call();
  }

  Path configPath() {
    return ConfigLoader.chosen(config, System.getenv());
  }

  /** Exit code 2 and why, when {@code -c} came before a command that reads no config. */
  Integer refuseConfig(String command) {
    if (config == null) {
      return null;
    }
    System.err.println("portcullis " + command + ": reads no config file; drop -c " + config);
    return 2;
  }

  static GatewayConfig loadOrExplain(Path file) {
    try {
      return Configs.fromSystemEnv().load(file);
    } catch (ConfigException e) {
      System.err.println("portcullis: invalid config " + file + ":");
      e.problems().forEach(p -> System.err.println("  " + p));
      return null;
    }
  }

  @Command(name = "run", description = "Run the gateway (the default).")
  static final class Run implements Callable<Integer> {
    @ParentCommand Portcullis top;

    @Override
    public Integer call() throws Exception {
      Path file = top.configPath();
      GatewayConfig cfg = loadOrExplain(file);
      if (cfg == null) {
        return 2;
      }
      Metrics metrics = new Metrics(cfg.observe().metrics());
      Vertx vertx = metrics.newVertx(nativeTransport(), Metrics.vertxMetricsWith(cfg));
      logTransport(vertx);
      Gateway gateway;
      try {
        gateway = Gateway.start(vertx, cfg, file, Configs.fromSystemEnv(), metrics)
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("portcullis: could not start: " + rootMessage(e));
        vertx.close();
        return 1;
      }
      gateway.reloadOnSighup();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          Duration budget = cfg.server().readinessDelay().plus(cfg.server().drainTimeout()).plusSeconds(5);
          gateway.stop().eventually(vertx::close)
              .toCompletionStage().toCompletableFuture().get(budget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          System.err.println("portcullis: shutdown did not complete cleanly: " + rootMessage(e));
        } finally {
          stopped.countDown();
        }
      }, "portcullis-shutdown"));
      stopped.await();
      return 0;
    }
  }

  @Command(name = "check", description = "Validate a config file without starting; exit 0 if valid, 2 if not.")
  static final class Check implements Callable<Integer> {
    @ParentCommand Portcullis top;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Path file = top.configPath();
      GatewayConfig cfg = loadOrExplain(file);
      if (cfg == null) {
        return 2;
      }
      spec.commandLine().getOut().println("config " + file + " is valid: " + cfg.providers().size() + " providers, "
          + cfg.models().size() + " models");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "mock", description = "Run only the mock provider (an upstream for benchmarks).")
  static final class Mock implements Callable<Integer> {
    @ParentCommand Portcullis top;
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", defaultValue = "8090") int port;
    @Option(names = "--tokens-per-second", defaultValue = "50") double rate;
    @Option(names = "--tokens", defaultValue = "24") int tokens;
    @Option(names = "--instances", defaultValue = "1") int instances;

    @Override
    public Integer call() throws Exception {
      Integer refused = top.refuseConfig("mock");
      if (refused != null) {
        return refused;
      }
      Vertx vertx = newVertx();
      MockConfig cfg = new MockConfig(true, host, port, rate, tokens, Duration.ZERO);
      MockStats stats = new MockStats();
      vertx.deployVerticle(() -> new MockProviderVerticle(cfg, stats), new DeploymentOptions().setInstances(instances))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("mock provider listening on " + host + ":" + port);
      new CountDownLatch(1).await();
      return 0;
    }
  }

  @Command(name = "sse-load", description = "Open N concurrent SSE streams and report time to first token and inter-token gaps (JSON).")
  static final class SseLoad implements Callable<Integer> {
    @ParentCommand Portcullis top;
    @Option(names = "--url", required = true, description = "chat completions URL") URI url;
    @Option(names = "--model", defaultValue = "gpt-4o-mini",
        description = "model to ask for; against the mock directly, directives such as bench@tokens=40;rate=10 set length and pace")
    String model;
    @Option(names = "--streams", defaultValue = "100") int streams;
    @Option(names = "--ramp", defaultValue = "500", description = "streams opened per second") int ramp;
    @Option(names = "--warmup", defaultValue = "100", description = "streams run (and not measured) first, so no JIT is cold") int warmup;

    @Override
    public Integer call() throws Exception {
      Integer refused = top.refuseConfig("sse-load");
      if (refused != null) {
        return refused;
      }
      Vertx vertx = Vertx.vertx();
      try {
        if (warmup > 0) {
          new SseLoadGenerator(vertx, new SseLoadGenerator.Plan(url, model, warmup, ramp))
              .run().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
        }
        SseLoadGenerator.Report report = new SseLoadGenerator(vertx,
                new SseLoadGenerator.Plan(url, model, streams, ramp))
            .run().toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
        System.out.println(report.toJson().encode());
        return report.errors() == 0 ? 0 : 1;
      } finally {
        vertx.close();
      }
    }
  }

  /** Vert.x on the native epoll transport where the platform has it (fewer syscalls than NIO). */
  static Vertx newVertx() {
    return logTransport(Vertx.builder().with(nativeTransport()).build());
  }

  static VertxOptions nativeTransport() {
    return new VertxOptions().setPreferNativeTransport(true);
  }

  private static Vertx logTransport(Vertx vertx) {
    LoggerFactory.getLogger(Portcullis.class).info("network transport: {}",
        vertx.isNativeTransportEnabled() ? "native" : "NIO (" + vertx.unavailableNativeTransportCause() + ")");
    return vertx;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
