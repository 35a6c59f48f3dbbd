package io.portcullis.auth;

import io.portcullis.audit.AuditTrail;
import io.portcullis.audit.AuditTrails;
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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis keys ...}: API keys, and the incident actions on users and teams, in the key
 * file or in Redis, as the config says. Each action is {@link KeyActions}' (the admin API runs the
 * same code) and leaves one entry in the audit trail, with the actor {@code cli:<OS user>}. A new
 * key is printed once and never stored; {@code list} shows no secret. The config file is the one
 * the top command's {@code -c} names (given before or after any subcommand).
 */
@Command(name = "keys", description = "Manage API keys (create prints the key once; only its hash is stored).",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class, KeysCommand.Rotate.class,
        KeysCommand.Update.class, KeysCommand.RevokeAll.class, KeysCommand.Block.class, KeysCommand.Unblock.class})
public final class KeysCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--store", scope = ScopeType.INHERIT,
      description = "file or redis (default: the key file if configured, else Redis)")
  String store;

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

  /** Who the audit trail says acted. */
  static String actor() {
    return "cli:" + System.getProperty("user.name", "unknown");
  }

  /** Runs one operation against the configured store and audit trail, outside any event loop (it waits). */
  <T> T withActions(Function<KeyActions, Future<T>> op) throws Exception {
    Path file = configFile();
    GatewayConfig cfg;
    try {
      // the keys command reads the auth, redis and admin sections; checking the rest is `check`'s job
      cfg = new ConfigLoader(System.getenv(), List.of()).load(file);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid config " + file + ":\n  " + String.join("\n  ", e.problems()));
    }
    if (store != null && !store.equals("file") && !store.equals("redis")) {
      throw new IllegalArgumentException("--store must be file or redis, not '" + store + "'");
    }
    boolean useFile = store == null ? cfg.auth().keyFile() != null : store.equals("file");
    if (useFile && cfg.auth().keyFile() == null) {
      throw new IllegalArgumentException("no key file: set auth.api_keys.file in " + file);
    }
    if (!useFile && !cfg.redis().enabled()) {
      throw new IllegalArgumentException("no Redis: set redis.url in " + file);
    }
    Vertx vertx = Vertx.vertx();
    AuditTrail audit = AuditTrails.open(vertx, cfg, false);
    try {
      KeyStore keys = useFile ? new FileKeyStore(cfg.auth().keyFile(), cfg.auth().fileKeys(), cfg.auth().fileBlocked())
          : new RedisKeyStore(RedisAPI.api(Redis.createClient(vertx, RedisClients.options(cfg.redis()))), Duration.ofSeconds(5));
      return wait(op.apply(new KeyActions(keys, audit, cfg.auth().roleNames(), cfg.auth().rotationOverlap(), Instant::now)));
    } finally {
      audit.close();
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
    void printKey(boolean json, KeyActions.Created created) {
      StoredKey k = created.stored();
      if (json) {
        out().println(new JsonObject().put("id", k.id()).put("key", created.key())
            .put("expires", k.expires() == null ? null : k.expires().toString()).encode());
      } else {
        out().println(created.key());
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

  /** {@code --user NAME} or {@code --team NAME}, exactly one. */
  static final class Holder {
    @Option(names = "--user", required = true) String user;
    @Option(names = "--team", required = true) String team;

    String kind() {
      return user != null ? "user" : "team";
    }

    String name() {
      return user != null ? user : team;
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
      Instant at = expiry(expires, Instant.now());
      KeyActions.Created created = keys.withActions(a -> a.create(actor(), user, team, roles, at));
      printKey(json, created);
      err().println("key " + created.stored().id() + " for " + user + " created; it is shown only now");
    }
  }

  @Command(name = "list", description = "List keys (ids, owners, state; never a secret).")
  static final class ListKeys extends Operation {
    @Option(names = "--user", description = "only this user's keys") String user;
    @Option(names = "--team", description = "only this team's keys") String team;

    @Override
    void run() throws Exception {
      List<StoredKey> all = keys.withActions(a -> a.list(user, team));
      Instant now = Instant.now();
      out().printf("%-14s %-16s %-12s %-20s %-9s %s%n", "ID", "USER", "TEAM", "ROLES", "STATE", "ENDS");
      for (StoredKey k : all) {
        out().printf("%-14s %-16s %-12s %-20s %-9s %s%n", k.id(), k.user(), k.team() == null ? "-" : k.team(),
            String.join(",", k.roles()), k.state(now), k.ends() == null ? "-" : k.ends());
      }
      out().flush();
    }
  }

  @Command(name = "revoke", description = "Revoke a key at once.")
  static final class Revoke extends Operation {
    @Parameters(paramLabel = "ID|KEY", description = "the key's id, or the key itself") String named;

    @Override
    void run() throws Exception {
      StoredKey k = keys.withActions(a -> a.revoke(actor(), named));
      err().println("key " + k.id() + " revoked");
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
      Duration given = overlap == null ? null : duration(overlap);
      KeyActions.Created next = keys.withActions(a -> a.rotate(actor(), named, given));
      printKey(json, next);
      err().println("key " + next.stored().id() + " replaces the old key, which stops working after the overlap");
    }
  }

  @Command(name = "update", description = "Change a key's roles and/or expiry.")
  static final class Update extends Operation {
    @Parameters(paramLabel = "ID", description = "the key's id") String id;
    @Option(names = "--role", description = "the key's roles from now on (repeatable)") List<String> roles;
    @Option(names = "--expires", description = "a duration or an instant in the future, or 'never'") String expires;

    @Override
    void run() throws Exception {
      boolean never = "never".equals(expires);
      Instant at = never ? null : expiry(expires, Instant.now());
      StoredKey k = keys.withActions(a -> a.update(actor(), id, roles, at, never));
      err().println("key " + k.id() + " updated: roles " + String.join(",", k.roles()) + ", ends "
          + (k.ends() == null ? "never" : k.ends()));
    }
  }

  @Command(name = "revoke-all", description = "Revoke every key of a user or a team at once.")
  static final class RevokeAll extends Operation {
    @ArgGroup(exclusive = true, multiplicity = "1") Holder holder;

    @Override
    void run() throws Exception {
      int n = keys.withActions(a -> a.revokeAll(actor(), holder.kind(), holder.name()));
      err().println(n + " keys of " + holder.kind() + " " + holder.name() + " revoked");
    }
  }

  @Command(name = "block", description = "Refuse every request of a user or a team (whatever credential it uses) until unblocked.")
  static final class Block extends Operation {
    @ArgGroup(exclusive = true, multiplicity = "1") Holder holder;

    @Override
    void run() throws Exception {
      keys.withActions(a -> a.block(actor(), holder.kind(), holder.name(), true));
      err().println(holder.kind() + " " + holder.name() + " blocked");
    }
  }

  @Command(name = "unblock", description = "Lift a block.")
  static final class Unblock extends Operation {
    @ArgGroup(exclusive = true, multiplicity = "1") Holder holder;

    @Override
    void run() throws Exception {
      keys.withActions(a -> a.block(actor(), holder.kind(), holder.name(), false));
      err().println(holder.kind() + " " + holder.name() + " unblocked");
    }
  }
}
