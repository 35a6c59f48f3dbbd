package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user types it: every command, options in either place, careless input. */
class PortcullisCliTest {

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    // `check` explains an invalid config on System.err, as the gateway does at start
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = Portcullis.commandLine();
      cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
      cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
      int code = cl.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
    }
  }

  static Path config(Path dir, String name) throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, """
        auth: {enabled: true, api_keys: {file: KEYS, rotation_overlap: 1h}}
        providers: [{name: p, base_url: "http://127.0.0.1:1/v1", api_keys: [k]}]
        models: [{name: MODEL, targets: [{provider: p, model: m}]}]
        """.replace("KEYS", name + "-keys.yaml").replace("MODEL", name + "-model"));
    return file;
  }

  @Test
  void checkValidatesWithoutStarting(@TempDir Path dir) throws Exception {
    assertThat(cli("check", "-c", "conf/portcullis.yaml").code()).isZero();
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "providers: [{name: a, base_url: nope}]\nmodels: []\n");
    Run refused = cli("check", "-c", bad.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("providers[0].base_url: not a URL");
    assertThat(cli("check", "-c", dir.resolve("missing.yaml").toString()).code()).isEqualTo(2);
  }

  @Test
  void theConfigOptionCountsBeforeOrAfterAnySubcommand(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "providers: [{name: a, base_url: nope}]\nmodels: []\n");
    // before the subcommand it used to be ignored, and the default config was checked instead
    assertThat(cli("-c", bad.toString(), "check").code()).isEqualTo(2);
    assertThat(cli("check", "-c", bad.toString()).code()).isEqualTo(2);
    Path a = config(dir, "a");
    assertThat(cli("--config", a.toString(), "check").out()).contains("is valid: 1 providers, 1 models");

    String before = cli("-c", a.toString(), "keys", "create", "--user", "x").out();
    String middle = cli("keys", "-c", a.toString(), "create", "--user", "y").out();
    String after = cli("keys", "create", "--user", "z", "-c", a.toString()).out();
    for (String key : List.of(before, middle, after)) {
      assertThat(key).matches("pc-[0-9A-Za-z]{12}-[0-9A-Za-z]{40}");
    }
    String list = cli("-c", a.toString(), "keys", "list").out();
    assertThat(list).contains(" x ").contains(" y ").contains(" z ");
    assertThat(Files.readString(dir.resolve("a-keys.yaml"))).contains("user: \"z\"");

    // commands that read no config refuse -c instead of ignoring it
    Run mock = cli("-c", a.toString(), "mock");
    assertThat(mock.code()).isEqualTo(2);
    assertThat(mock.err()).contains("reads no config");
    assertThat(cli("mock", "-c", a.toString()).code()).isEqualTo(2);
    assertThat(cli("sse-load", "--url", "http://127.0.0.1:1/", "-c", a.toString()).code()).isEqualTo(2);
  }

  @Test
  void everyCommandAndSubcommandHasHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(Portcullis.commandLine(), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThanOrEqualTo(10);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Run help = cli(args.toArray(String[]::new));
      assertThat(help.code()).as(String.join(" ", args) + ": " + help.err()).isZero();
      assertThat(help.out()).as(String.join(" ", args)).startsWith("Usage: portcullis");
    }
    assertThat(cli("keys").out()).contains("create").contains("rotate");
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(path);
    cl.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help")) {
        List<String> next = new ArrayList<>(path);
        next.add(name);
        collect(sub, next, out);
      }
    });
  }

  @Test
  void aKeyRotatedTwiceKeepsItsOwnExpiryNotTheOverlaps(@TempDir Path dir) throws Exception {
    String c = config(dir, "r").toString();
    JsonObject first = new JsonObject(cli("-c", c, "keys", "create", "--user", "r", "--json").out());
    assertThat(first.getString("expires")).isNull();
    JsonObject second = new JsonObject(cli("-c", c, "keys", "rotate", first.getString("id"), "--overlap", "1s", "--json").out());
    // the first key is now in its overlap; rotating it again must not hand the overlap on
    JsonObject third = new JsonObject(cli("-c", c, "keys", "rotate", first.getString("key"), "--json").out());
    assertThat(second.getString("expires")).isNull();
    assertThat(third.getString("expires")).isNull();
    String list = cli("-c", c, "keys", "list").out();
    assertThat(row(list, second.getString("id"))).contains("active");
    assertThat(row(list, third.getString("id"))).contains("active");
    assertThat(row(list, first.getString("id"))).containsAnyOf("retiring", "expired");

    // a key with its own expiry passes exactly that on, however often it is rotated
    JsonObject dated = new JsonObject(cli("-c", c, "keys", "create", "--user", "d", "--expires", "30d", "--json").out());
    Instant own = Instant.parse(dated.getString("expires"));
    assertThat(own).isAfter(Instant.now().plusSeconds(29L * 86400));
    JsonObject r1 = new JsonObject(cli("-c", c, "keys", "rotate", dated.getString("id"), "--overlap", "1s", "--json").out());
    JsonObject r2 = new JsonObject(cli("-c", c, "keys", "rotate", dated.getString("id"), "--json").out());
    assertThat(Instant.parse(r1.getString("expires"))).isEqualTo(own);
    assertThat(Instant.parse(r2.getString("expires"))).isEqualTo(own);
  }

  @Test
  void keysAreNamedByIdOrByKeyAndDurationsReadAsInTheConfig(@TempDir Path dir) throws Exception {
    String c = config(dir, "k").toString();
    JsonObject a = new JsonObject(cli("-c", c, "keys", "create", "--user", "a", "--json").out());
    // 0s is a duration here as in config files: the old key ends at once
    Run zero = cli("-c", c, "keys", "rotate", a.getString("id"), "--overlap", "0s");
    assertThat(zero.code()).as(zero.err()).isZero();
    assertThat(row(cli("-c", c, "keys", "list").out(), a.getString("id"))).contains("expired");
    assertThat(cli("-c", c, "keys", "rotate", a.getString("id")).err()).contains("is expired");

    JsonObject b = new JsonObject(cli("-c", c, "keys", "create", "--user", "b", "--json").out());
    String wrongSecret = b.getString("key").substring(0, 16) + "x".repeat(40);
    Run refused = cli("-c", c, "keys", "revoke", wrongSecret);
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("does not match");
    assertThat(cli("-c", c, "keys", "revoke", "not a key").err()).contains("neither a key id nor a key");
    assertThat(cli("-c", c, "keys", "revoke", b.getString("key")).code()).isZero();
    assertThat(row(cli("-c", c, "keys", "list").out(), b.getString("id"))).contains("revoked");

    for (String past : List.of("2020-01-01T00:00:00Z", "0s")) {
      Run r = cli("-c", c, "keys", "create", "--user", "p", "--expires", past);
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).contains("not in the future");
    }
    assertThat(cli("-c", c, "keys", "create", "--user", "p", "--expires", "soon").err()).contains("not a duration");
    assertThat(cli("-c", c, "keys", "--store", "disk", "list").err()).contains("--store must be file or redis");
  }

  private static String row(String list, String id) {
    return list.lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow(() -> new AssertionError(id + " not in\n" + list));
  }
}
