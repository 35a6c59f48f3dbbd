package io.portcullis.auth;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.Durations;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RedisClients;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code portcullis keys create|list|revoke|rotate}: API keys in the key file or in Redis, as the
 * config says. A new key is printed once and never stored; {@code list} shows no secret.
 */
@Command(name = "keys", description = "Manage API keys (create prints the key once; only its hash is stored).",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class, KeysCommand.Rotate.class})
public final class KeysCommand {

  @Option(names = {"-c", "--config"}, description = "config file (default: $PORTCULLIS_CONFIG or conf/portcullis.yaml)")
  Path config;

  @Option(names = "--store", description = "file or redis (default: the key file if configured, else Redis)")
  String store;

  final PrintStream out;
  /** The config the last operation ran with. */
  GatewayConfig loaded;
  final PrintStream err;

  public KeysCommand() {
    this(System.out, System.err);
  }

  /** With its own output: the key on {@code out}, messages on {@code err}. */
  public KeysCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs one operation against the configured store, outside any event loop (it waits). */
  <T> T withStore(Function<KeyStore, Future<T>> op) throws Exception {
    Path file = config != null ? config : Path.of(System.getenv().getOrDefault("PORTCULLIS_CONFIG", "conf/portcullis.yaml"));
    GatewayConfig cfg;
    try {
      // the keys command reads the auth and redis sections; checking the rest is `check`'s job
      cfg = new ConfigLoader(System.getenv(), List.of()).load(file);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid config " + file + ":\n  " + String.join("\n  ", e.problems()));
    }
    loaded = cfg;
    boolean useFile = store == null ? cfg.auth().keyFile() != null : store.equals("file");
    if (useFile) {
      if (cfg.auth().keyFile() == null) {
        throw new IllegalArgumentException("no key file: set auth.api_keys.file in " + file);
      }
      return wait(op.apply(new FileKeyStore(cfg.auth().keyFile(), cfg.auth().fileKeys())));
    }
    if (!cfg.redis().enabled()) {
      throw new IllegalArgumentException("no Redis: set redis.url in " + file);
    }
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = Redis.createClient(vertx, RedisClients.options(cfg.redis()));
      return wait(op.apply(new RedisKeyStore(RedisAPI.api(redis), Duration.ofSeconds(5))));
    } finally {
      vertx.close();
    }
  }

  private static <T> T wait(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Instant expiry(String text, Instant now) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return now.plus(duration(text));
    }
  }

  static Duration duration(String text) {
    Duration d = Durations.parse(text);
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 30d, 12h, 90m)");
    }
    return d;
  }

  /** One subcommand: its work, and the one way every subcommand reports a failure (exit code 2). */
  abstract static class Operation implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    abstract void run() throws Exception;

    @Override
    public Integer call() {
      try {
        run();
        return 0;
      } catch (Exception e) {
        // a failed store operation arrives wrapped by the wait for it: say what failed, not how
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        keys.err.println("portcullis keys: " + cause.getMessage());
        return 2;
      }
    }
  }

  @Command(name = "create", description = "Create a key and print it (the only time it is shown).")
  static final class Create extends Operation {
    @Option(names = "--user", required = true) String user;
    @Option(names = "--team") String team;
    @Option(names = "--role", description = "a role (repeatable)") List<String> roles = new ArrayList<>();
    @Option(names = "--expires", description = "a duration (30d, 12h) or an instant (2027-01-31T00:00:00Z)") String expires;

    @Override
    void run() throws Exception {
      Instant now = Instant.now();
      String[] generated = ApiKeyFormat.generate();
      StoredKey key = new StoredKey(generated[1], generated[2], user, team, roles, now, expiry(expires, now), false);
      keys.withStore(s -> s.put(key));
      keys.out.println(generated[0]);
      keys.err.println("key " + key.id() + " for " + user + " created; it is shown only now");
    }
  }

  @Command(name = "list", description = "List keys (ids, owners, state; never a secret).")
  static final class ListKeys extends Operation {

    @Override
    void run() throws Exception {
      List<StoredKey> all = new ArrayList<>(keys.withStore(KeyStore::list));
      all.sort(Comparator.comparing(StoredKey::id));
      Instant now = Instant.now();
      keys.out.printf("%-14s %-16s %-12s %-20s %-8s %s%n", "ID", "USER", "TEAM", "ROLES", "STATE", "EXPIRES");
      for (StoredKey k : all) {
        String state = k.revoked() ? "revoked" : k.expires() != null && !now.isBefore(k.expires()) ? "expired" : "active";
        keys.out.printf("%-14s %-16s %-12s %-20s %-8s %s%n", k.id(), k.user(), k.team() == null ? "-" : k.team(),
            String.join(",", k.roles()), state, k.expires() == null ? "-" : k.expires());
      }
    }
  }

  @Command(name = "revoke", description = "Revoke a key at once.")
  static final class Revoke extends Operation {
    @Parameters(paramLabel = "ID") String id;

    @Override
    void run() throws Exception {
      keys.withStore(s -> s.find(id).compose(k -> k == null
          ? Future.failedFuture("no key " + id) : s.put(k.revoke())));
      keys.err.println("key " + id + " revoked");
    }
  }

  @Command(name = "rotate", description = "Create a replacement key; the old one keeps working for auth.api_keys.rotation_overlap.")
  static final class Rotate extends Operation {
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--overlap", description = "override auth.api_keys.rotation_overlap (e.g. 1h)") String overlap;

    @Override
    void run() throws Exception {
      Instant now = Instant.now();
      String[] generated = ApiKeyFormat.generate();
      keys.withStore(s -> s.find(id).compose(old -> {
        if (old == null || old.revoked()) {
          return Future.failedFuture("no active key " + id);
        }
        Duration keep = overlap != null ? duration(overlap) : keys.loaded.auth().rotationOverlap();
        StoredKey next = new StoredKey(generated[1], generated[2], old.user(), old.team(), old.roles(), now, old.expires(), false);
        return s.put(next).compose(v -> s.put(old.expiring(now.plus(keep))));
      }));
      keys.out.println(generated[0]);
      keys.err.println("key " + id + " rotated to " + generated[1] + "; the old key stops working after the overlap");
    }
  }
}
