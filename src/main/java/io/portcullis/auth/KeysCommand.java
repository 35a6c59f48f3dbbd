package io.portcullis.auth;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.Durations;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RedisClients;
import io.portcullis.config.StoredKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.io.PrintWriter;
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
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis keys create|list|revoke|rotate}: API keys in the key file or in Redis, as the
 * config says. A new key is printed once and never stored; {@code list} shows no secret. The config
 * file is the one the top command's {@code -c} names (given before or after any subcommand).
 */
@Command(name = "keys", description = "Manage API keys (create prints the key once; only its hash is stored).",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class, KeysCommand.Rotate.class})
public final class KeysCommand implements Callable<Integer> {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{8,32}");

  @Spec CommandSpec spec;

  @Option(names = "--store", scope = ScopeType.INHERIT,
      description = "file or redis (default: the key file if configured, else Redis)")
  String store;

  /** The config the last operation ran with. */
  GatewayConfig loaded;

  /** {@code keys} alone says what it can do. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** The config file: the inherited {@code --config} when this runs under the top command. */
  Path configFile() {
    OptionSpec option = spec.findOption("--config");
    Path given = option == null ? null : option.getValue();
    return ConfigLoader.chosen(given, System.getenv());
  }

  /** Runs one operation against the configured store, outside any event loop (it waits). */
  <T> T withStore(Function<KeyStore, Future<T>> op) throws Exception {
    Path file = configFile();
    GatewayConfig cfg;
    try {
      // the keys command reads the auth and redis sections; checking the rest is `check`'s job
      cfg = new ConfigLoader(System.getenv(), List.of()).load(file);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid config " + file + ":\n  " + String.join("\n  ", e.problems()));
    }
    loaded = cfg;
    if (store != null && !store.equals("file") && !store.equals("redis")) {
      throw new IllegalArgumentException("--store must be file or redis, not '" + store + "'");
    }
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

  /** An expiry given as a duration from now or as an instant; either must lie in the future. */
  static Instant expiry(String text, Instant now) {
    if (text == null) {
      return null;
    }
    Instant at;
    try {
      at = Instant.parse(text);
    } catch (DateTimeParseException e) {
      at = now.plus(duration(text));
    }
    if (!at.isAfter(now)) {
      throw new IllegalArgumentException("--expires " + text + " is not in the future");
    }
    return at;
  }

  /** The config file's duration grammar (250ms, 30s, 5m, 2h, 1d; 0s is zero). */
  static Duration duration(String text) {
    Duration d = Durations.parse(text);
    if (d == null) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 30d, 12h, 90m, 0s)");
    }
    return d;
  }

  /**
   * The stored key a command names, by id or by the full key; a full key must match the stored
   * hash, so a mistyped key never revokes someone else's.
   */
  static Future<StoredKey> named(KeyStore store, String idOrKey) {
    ApiKeyFormat.Parsed parsed = ApiKeyFormat.parse(idOrKey);
    if (parsed == null && !ID.matcher(idOrKey).matches()) {
      return Future.failedFuture("'" + idOrKey + "' is neither a key id nor a key");
    }
    String id = parsed == null ? idOrKey : parsed.id();
    return store.find(id).compose(k -> {
      if (k == null) {
        return Future.failedFuture("no key " + id);
      }
      if (parsed != null && !ApiKeyFormat.sameHash(ApiKeyFormat.hash(parsed.id(), parsed.secret()), k.hash())) {
        return Future.failedFuture("the key given does not match the stored key " + id);
      }
      return Future.succeededFuture(k);
    });
  }

  /** One subcommand: its work, and the one way every subcommand reports a failure (exit code 2). */
  abstract static class Operation implements Callable<Integer> {
    @ParentCommand KeysCommand keys;

    abstract void run() throws Exception;

    PrintWriter out() {
      return keys.spec.commandLine().getOut();
    }

    PrintWriter err() {
      return keys.spec.commandLine().getErr();
    }

    /** A new key on stdout: the key alone, or with {@code --json} its id, key and expiry. */
    void printKey(boolean json, String id, String key, Instant expires) {
      if (json) {
        out().println(new JsonObject().put("id", id).put("key", key)
            .put("expires", expires == null ? null : expires.toString()).encode());
      } else {
        out().println(key);
      }
      out().flush();
    }

    @Override
    public Integer call() {
      try {
        run();
        return 0;
      } catch (Exception e) {
        // a failed store operation arrives wrapped by the wait for it: say what failed, not how
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        err().println("portcullis keys: " + cause.getMessage());
        err().flush();
        return 2;
      }
    }
  }

  @Command(name = "create", description = "Create a key and print it (the only time it is shown).")
  static final class Create extends Operation {
    @Option(names = "--user", required = true) String user;
    @Option(names = "--team") String team;
    @Option(names = "--role", description = "a role (repeatable)") List<String> roles = new ArrayList<>();
    @Option(names = "--expires", description = "a duration (30d, 12h) or an instant (2027-01-31T00:00:00Z), in the future")
    String expires;
    @Option(names = "--json", description = "print {\"id\", \"key\", \"expires\"} instead of the key alone") boolean json;

    @Override
    void run() throws Exception {
      Instant now = Instant.now();
      String[] generated = ApiKeyFormat.generate();
      StoredKey key = new StoredKey(generated[1], generated[2], user, team, roles, now, expiry(expires, now), false);
      keys.withStore(s -> s.put(key));
      printKey(json, key.id(), generated[0], key.expires());
      err().println("key " + key.id() + " for " + user + " created; it is shown only now");
    }
  }

  @Command(name = "list", description = "List keys (ids, owners, state; never a secret).")
  static final class ListKeys extends Operation {

    @Override
    void run() throws Exception {
      List<StoredKey> all = new ArrayList<>(keys.withStore(KeyStore::list));
      all.sort(Comparator.comparing(StoredKey::id));
      Instant now = Instant.now();
      out().printf("%-14s %-16s %-12s %-20s %-9s %s%n", "ID", "USER", "TEAM", "ROLES", "STATE", "ENDS");
      for (StoredKey k : all) {
        String state = k.revoked() ? "revoked" : k.endedAt(now) ? "expired" : k.retires() != null ? "retiring" : "active";
        out().printf("%-14s %-16s %-12s %-20s %-9s %s%n", k.id(), k.user(), k.team() == null ? "-" : k.team(),
            String.join(",", k.roles()), state, k.ends() == null ? "-" : k.ends());
      }
      out().flush();
    }
  }

  @Command(name = "revoke", description = "Revoke a key at once.")
  static final class Revoke extends Operation {
    @Parameters(paramLabel = "ID|KEY", description = "the key's id, or the key itself") String named;

    @Override
    void run() throws Exception {
      String id = keys.withStore(s -> named(s, named).compose(k -> s.put(k.revoke()).map(k.id())));
      err().println("key " + id + " revoked");
    }
  }

  @Command(name = "rotate", description = "Create a replacement key; the old one keeps working for auth.api_keys.rotation_overlap.")
  static final class Rotate extends Operation {
    @Parameters(paramLabel = "ID|KEY", description = "the key's id, or the key itself") String named;
    @Option(names = "--overlap", description = "override auth.api_keys.rotation_overlap (e.g. 1h; 0s ends the old key now)")
    String overlap;
    @Option(names = "--json", description = "print {\"id\", \"key\", \"expires\"} instead of the key alone") boolean json;

    @Override
    void run() throws Exception {
      Instant now = Instant.now();
      Duration given = overlap == null ? null : duration(overlap);
      String[] generated = ApiKeyFormat.generate();
      StoredKey next = keys.withStore(s -> named(s, named).compose(old -> {
        if (old.revoked() || old.endedAt(now)) {
          return Future.failedFuture("key " + old.id() + " is " + (old.revoked() ? "revoked" : "expired") + "; create a new one");
        }
        Duration keep = given != null ? given : keys.loaded.auth().rotationOverlap();
        // the replacement keeps the key's own expiry, never the end of an overlap it may already be in
        StoredKey replacement = new StoredKey(generated[1], generated[2], old.user(), old.team(), old.roles(), now,
            old.expires(), false);
        return s.put(replacement).compose(v -> s.put(old.retiring(now.plus(keep)))).map(replacement);
      }));
      printKey(json, next.id(), generated[0], next.expires());
      err().println("key " + next.id() + " replaces the old key, which stops working after the overlap");
    }
  }
}
