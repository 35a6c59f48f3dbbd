package io.portcullis.e2e;

import static io.portcullis.e2e.AuthTest.bearer;
import static io.portcullis.e2e.GatewayFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.RedisServer;
import io.portcullis.admin.AdminTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API end to end on a real gateway and a real Redis: every action, with the admin,
 * viewer and no token; bad input named by field; the {@code keys} command and the API on the same
 * Redis; exactly one audit entry per action, never a secret in it; spend summed per user, team,
 * key and model; and the key file (no Redis) variant with its JSON-lines audit file.
 */
class AdminApiTest {

  static final String ADMIN = AdminTokens.generate();
  static final String VIEWER = AdminTokens.generate();
  static RedisServer redis;
  static Path dir;

  /** A Redis of each test's own: the audit stream and the keys start empty. */
  @BeforeEach
  void start() throws Exception {
    redis = new RedisServer();
    dir = Files.createTempDirectory("portcullis-admin");
  }

  @AfterEach
  void stop() throws Exception {
    redis.close();
  }

  static String config(String store) {
    return """
        server: {host: 127.0.0.1, port: 0, instances: 2}
        admin:
          host: 127.0.0.1
          port: 0
          tokens:
            - {name: ops, role: admin, sha256: ADMINHASH}
            - {name: auditor, role: viewer, sha256: VIEWERHASH}
          audit: {file: "AUDITFILE"}
        STORE
        prices: {"up-*": {input: 1000, output: 2000}}
        auth:
          enabled: true
          api_keys: KEYS
          roles:
            - {name: chatter, models: ["chat"], endpoints: [chat_completions, models]}
            - {name: other, models: ["other"], endpoints: [chat_completions, models]}
        providers:
          - {name: mock, base_url: "${MOCK_URL}"}
        models:
          - {name: chat, targets: [{provider: mock, model: up-chat}]}
          - {name: other, targets: [{provider: mock, model: up-other}]}
        """.replace("ADMINHASH", AdminTokens.sha256(ADMIN)).replace("VIEWERHASH", AdminTokens.sha256(VIEWER))
        .replace("AUDITFILE", dir.resolve("audit-" + store.hashCode() + ".jsonl").toString())
        .replace("STORE", store.equals("redis") ? "redis: {url: \"" + redis.url() + "\"}" : "")
        .replace("KEYS", store.equals("redis") ? "{redis: true}" : "{file: \"" + dir.resolve("keys-" + store + ".yaml") + "\"}");
  }

  static HttpResponse<String> call(GatewayFixture f, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.gateway.adminPort() + path))
        .timeout(Duration.ofSeconds(10)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject ok(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return new JsonObject(res.body());
  }

  static void refused(HttpResponse<String> res, int status, String code, String param) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    JsonObject e = new JsonObject(res.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo(code);
    assertThat(e.getString("param")).isEqualTo(param);
    assertThat(res.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  /** Every audit entry, oldest first, paging through the API ten at a time. */
  static List<JsonObject> audit(GatewayFixture f) throws Exception {
    List<JsonObject> all = new ArrayList<>();
    String before = null;
    do {
      JsonObject page = ok(call(f, "GET", "/admin/audit?limit=10" + (before == null ? "" : "&before=" + before), VIEWER, null), 200);
      page.getJsonArray("entries").forEach(e -> all.add(0, (JsonObject) e));
      before = page.getString("next_before");
    } while (before != null);
    return all;
  }

  /** Runs an action and checks it left exactly one audit entry, of this action, target and outcome. */
  static JsonObject once(GatewayFixture f, String action, String target, String outcome, Call run) throws Exception {
    int before = audit(f).size();
    run.run();
    List<JsonObject> after = audit(f);
    assertThat(after).hasSize(before + 1);
    JsonObject e = after.get(after.size() - 1);
    assertThat(e.getString("action")).isEqualTo(action);
    assertThat(e.getString("target")).isEqualTo(target);
    assertThat(e.getString("outcome")).isEqualTo(outcome);
    return e;
  }

  interface Call {
    void run() throws Exception;
  }

  static int chatStatus(GatewayFixture f, String key, String model) throws Exception {
    return f.post("/v1/chat/completions", chat(model, false, "/echo hi"), bearer(key)).statusCode();
  }

  @Test
  void everyActionWithItsRoleItsAuditEntryAndItsEffect() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("redis"))) {
      // who may call: nobody without a token, a viewer reads, an admin changes
      refused(call(f, "GET", "/admin/keys", null, null), 401, "invalid_admin_token", null);
      refused(call(f, "GET", "/admin/keys", "pca-wrong", null), 401, "invalid_admin_token", null);
      List<JsonObject> entries = audit(f);
      assertThat(entries).hasSize(2).allSatisfy(e -> {
        assertThat(e.getString("action")).isEqualTo("admin.login");
        assertThat(e.getString("outcome")).isEqualTo("refused");
        assertThat(e.getString("actor")).startsWith("ip:");
      });
      assertThat(entries.toString()).doesNotContain("pca-wrong");
      ok(call(f, "GET", "/admin/keys", VIEWER, null), 200);
      // never on the public listener, whatever token comes
      assertThat(f.get("/admin/keys", Map.of("authorization", "Bearer " + ADMIN)).statusCode()).isEqualTo(404);
      assertThat(f.get("/admin/openapi.json").statusCode()).isEqualTo(404);
      refused(call(f, "POST", "/admin/keys", VIEWER, "{\"user\":\"alice\"}"), 403, "admin_role_required", null);
      assertThat(audit(f)).hasSize(2); // a viewer's refused change changed nothing: it is not an action

      // create: the key works at once, only for its role's models; the secret is in the answer only
      JsonObject[] made = new JsonObject[1];
      JsonObject e = once(f, "key.create", "user:alice", "ok", () -> made[0] = ok(call(f, "POST", "/admin/keys", ADMIN,
          "{\"user\":\"alice\",\"team\":\"red\",\"roles\":[\"chatter\"],\"expires\":\"30d\"}"), 201));
      String key = made[0].getString("key");
      String id = made[0].getString("id");
      assertThat(e.getString("actor")).isEqualTo("admin:ops");
      assertThat(e.encode()).doesNotContain(key).doesNotContain(key.substring(16));
      assertThat(made[0].getString("state")).isEqualTo("active");
      assertThat(chatStatus(f, key, "chat")).isEqualTo(200);
      assertThat(chatStatus(f, key, "other")).isEqualTo(403);
      JsonObject got = ok(call(f, "GET", "/admin/keys/" + id, VIEWER, null), 200);
      assertThat(got.getString("user")).isEqualTo("alice");
      assertThat(got.containsKey("key")).isFalse();
      assertThat(got.encode()).doesNotContain(key.substring(16));

      // update: new roles take effect on the next request (every cache told)
      once(f, "key.update", "key:" + id, "ok", () -> ok(call(f, "PATCH", "/admin/keys/" + id, ADMIN,
          "{\"roles\":[\"other\"],\"expires\":null}"), 200));
      assertThat(ok(call(f, "GET", "/admin/keys/" + id, VIEWER, null), 200).getValue("expires")).isNull();
      assertThat(chatStatus(f, key, "other")).isEqualTo(200);
      assertThat(chatStatus(f, key, "chat")).isEqualTo(403);

      // rotate: both work during the overlap; the old one retires
      JsonObject[] rotated = new JsonObject[1];
      once(f, "key.rotate", "key:" + id, "ok", () -> rotated[0] = ok(call(f, "POST", "/admin/keys/" + id + "/rotate", ADMIN,
          "{\"overlap\":\"1h\"}"), 201));
      String next = rotated[0].getString("key");
      assertThat(chatStatus(f, next, "other")).isEqualTo(200);
      assertThat(chatStatus(f, key, "other")).isEqualTo(200);
      assertThat(ok(call(f, "GET", "/admin/keys/" + id, VIEWER, null), 200).getString("state")).isEqualTo("retiring");

      // revoke: refused at once
      once(f, "key.revoke", "key:" + id, "ok", () -> ok(call(f, "POST", "/admin/keys/" + id + "/revoke", ADMIN, null), 200));
      assertThat(chatStatus(f, key, "other")).isEqualTo(401);

      // teams: every team a key names
      JsonObject second = ok(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"bob\",\"team\":\"red\",\"roles\":[\"chatter\"]}"), 201);
      JsonObject teams = ok(call(f, "GET", "/admin/teams", VIEWER, null), 200);
      JsonObject red = teams.getJsonArray("teams").getJsonObject(0);
      assertThat(red.getString("team")).isEqualTo("red");
      assertThat(red.getJsonArray("users").getList()).containsExactly("alice", "bob");
      assertThat(red.getInteger("active_keys")).isEqualTo(2); // alice's replacement and bob's
      assertThat(ok(call(f, "GET", "/admin/teams/red", VIEWER, null), 200).getJsonArray("key_list")).hasSize(3);
      refused(call(f, "GET", "/admin/teams/blue", VIEWER, null), 404, "not_found", "name");

      // block a user: every request refused whatever the key, until unblocked
      String bobKey = second.getString("key");
      assertThat(chatStatus(f, bobKey, "chat")).isEqualTo(200);
      once(f, "user.block", "user:bob", "ok", () -> ok(call(f, "POST", "/admin/users/bob/block", ADMIN, null), 200));
      awaitStatus(f, bobKey, 403);
      HttpResponse<String> blocked = f.post("/v1/chat/completions", chat("chat", false, "/echo hi"), bearer(bobKey));
      assertThat(new JsonObject(blocked.body()).getJsonObject("error").getString("code")).isEqualTo("caller_blocked");
      assertThat(ok(call(f, "GET", "/admin/blocked", VIEWER, null), 200).getJsonArray("blocked").getList()).containsExactly("user:bob");
      once(f, "user.unblock", "user:bob", "ok", () -> ok(call(f, "POST", "/admin/users/bob/unblock", ADMIN, null), 200));
      awaitStatus(f, bobKey, 200);
      // a team: its every member
      once(f, "team.block", "team:red", "ok", () -> ok(call(f, "POST", "/admin/teams/red/block", ADMIN, null), 200));
      awaitStatus(f, next, 403);
      awaitStatus(f, bobKey, 403);
      once(f, "team.unblock", "team:red", "ok", () -> ok(call(f, "POST", "/admin/teams/red/unblock", ADMIN, null), 200));
      awaitStatus(f, bobKey, 200);

      // revoke every key of a team at once
      JsonObject all = once(f, "team.revoke_keys", "team:red", "ok", () -> assertThat(
          ok(call(f, "POST", "/admin/teams/red/revoke-keys", ADMIN, null), 200).getInteger("revoked")).isEqualTo(2));
      assertThat(all.getJsonObject("detail").getInteger("revoked")).isEqualTo(2);
      assertThat(chatStatus(f, bobKey, "chat")).isEqualTo(401);
      assertThat(chatStatus(f, next, "other")).isEqualTo(401);
      JsonObject carol = ok(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"carol\",\"roles\":[\"chatter\"]}"), 201);
      once(f, "user.revoke_keys", "user:carol", "ok", () -> ok(call(f, "POST", "/admin/users/carol/revoke-keys", ADMIN, null), 200));
      assertThat(chatStatus(f, carol.getString("key"), "chat")).isEqualTo(401);

      // bad input: 400 naming the field, and a refused action is audited once as refused
      once(f, "key.create", "user:dave", "refused", () -> refused(call(f, "POST", "/admin/keys", ADMIN,
          "{\"user\":\"dave\",\"roles\":[\"root\"]}"), 400, "invalid_field", "roles"));
      once(f, "key.create", "user:dave", "refused", () -> refused(call(f, "POST", "/admin/keys", ADMIN,
          "{\"user\":\"dave\",\"expires\":\"2001-01-01T00:00:00Z\"}"), 400, "invalid_field", "expires"));
      once(f, "key.rotate", "key:" + id, "refused", () -> refused(call(f, "POST", "/admin/keys/" + id + "/rotate", ADMIN, "{}"),
          409, "conflict", "id"));
      once(f, "key.revoke", "key:nosuchkey1", "refused", () -> refused(call(f, "POST", "/admin/keys/nosuchkey1/revoke", ADMIN, null),
          404, "not_found", "id"));
      int size = audit(f).size();
      refused(call(f, "POST", "/admin/keys", ADMIN, "{\"team\":\"x\"}"), 400, "invalid_field", "user");
      refused(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"x\",\"roles\":\"chatter\"}"), 400, "invalid_field", "roles");
      refused(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"x\",\"expires\":\"soon\"}"), 400, "invalid_field", "expires");
      refused(call(f, "POST", "/admin/keys", ADMIN, "not json"), 400, "invalid_json", null);
      refused(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"" + "x".repeat(70_000) + "\"}"), 413, "body_too_large", null);
      refused(call(f, "POST", "/admin/keys/" + id + "/rotate", ADMIN, "{\"overlap\":\"forever\"}"), 400, "invalid_field", "overlap");
      refused(call(f, "PATCH", "/admin/keys/" + id, ADMIN, "{}"), 400, "invalid_field", "roles");
      refused(call(f, "GET", "/admin/keys/a$b", VIEWER, null), 400, "invalid_field", "id");
      refused(call(f, "GET", "/admin/audit?limit=0", VIEWER, null), 400, "invalid_field", "limit");
      refused(call(f, "GET", "/admin/spend?group_by=planet", VIEWER, null), 400, "invalid_field", "group_by");
      refused(call(f, "GET", "/admin/spend?from=yesterday", VIEWER, null), 400, "invalid_field", "from");
      refused(call(f, "GET", "/admin/nothing", VIEWER, null), 404, "not_found", null);
      // the PATCH with nothing to change was an action refused; the rest never reached one
      assertThat(audit(f)).hasSize(size + 1);

      // a refused token on a path that quotes a whole key: the entry names the path, not the secret
      refused(call(f, "POST", "/admin/keys/" + bobKey + "/revoke", "pca-guess", null), 401, "invalid_admin_token", null);
      // the audit trail holds no secret: no key, no admin token
      String trail = audit(f).toString();
      assertThat(trail).doesNotContain(key).doesNotContain(next).doesNotContain(bobKey).doesNotContain(ADMIN).doesNotContain(VIEWER);
    }
  }

  static void awaitStatus(GatewayFixture f, String key, int status) throws Exception {
    // a block reaches every instance through Redis's change feed (or the key file's reload): soon, not at once
    long deadline = System.nanoTime() + 5_000_000_000L;
    int last;
    do {
      last = chatStatus(f, key, "chat");
      if (last == status) {
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertThat(last).isEqualTo(status);
  }

  @Test
  void theCliAndTheApiShareOneRedisAndOneAuditTrail() throws Exception {
    String text = config("redis");
    try (GatewayFixture f = new GatewayFixture(text)) {
      // the config as the CLI reads it (from the system environment, where MOCK_URL is not set)
      Path cfg = dir.resolve("admin-cli.yaml");
      Files.writeString(cfg, text.replace("${MOCK_URL}", "http://127.0.0.1:1/v1"));
      String key = AuthTest.keys(cfg, "create", "--user=erin", "--team=green", "--role=chatter");
      String id = key.substring(3, 15);
      JsonObject listed = ok(call(f, "GET", "/admin/keys?user=erin", VIEWER, null), 200);
      assertThat(listed.getJsonArray("keys")).hasSize(1);
      assertThat(listed.getJsonArray("keys").getJsonObject(0).getString("id")).isEqualTo(id);
      assertThat(chatStatus(f, key, "chat")).isEqualTo(200);
      ok(call(f, "POST", "/admin/teams/green/block", ADMIN, null), 200);
      awaitStatus(f, key, 403);
      AuthTest.keys(cfg, "unblock", "--team=green");
      awaitStatus(f, key, 200);
      AuthTest.keys(cfg, "update", id, "--role=other");
      assertThat(ok(call(f, "GET", "/admin/keys/" + id, VIEWER, null), 200).getJsonArray("roles").getList()).containsExactly("other");
      AuthTest.keys(cfg, "revoke-all", "--user=erin");
      assertThat(ok(call(f, "GET", "/admin/keys/" + id, VIEWER, null), 200).getString("state")).isEqualTo("revoked");
      assertThat(AuthTest.keys(cfg, "list", "--team=green")).contains(id).contains("revoked");
      // one trail: the CLI's actions with their actor, the API's with its token's name
      List<JsonObject> trail = audit(f);
      List<String> said = trail.stream().map(e -> e.getString("actor").replaceAll(":.*", ":") + e.getString("action")).toList();
      assertThat(said).containsSubsequence("cli:key.create", "admin:team.block", "cli:team.unblock", "cli:key.update",
          "cli:user.revoke_keys");
      assertThat(trail.toString()).doesNotContain(key);
    }
  }

  @Test
  void aReloadIsAuditedWithTheHashOfTheConfig() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("redis"))) {
      Files.writeString(f.configFile, Files.readString(f.configFile) + "\n# changed\n");
      assertThat(GatewayFixture.await(f.gateway.reload())).isTrue();
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f.configFile)));
      JsonObject last = lastReload(f, 1);
      assertThat(last.getString("actor")).isEqualTo("system");
      assertThat(last.getString("outcome")).isEqualTo("ok");
      assertThat(last.getJsonObject("detail").getString("sha256")).isEqualTo(sha);
      Files.writeString(f.configFile, "server: {port: -1}\n");
      assertThat(GatewayFixture.await(f.gateway.reload())).isFalse();
      JsonObject refused = lastReload(f, 2);
      assertThat(refused.getString("outcome")).isEqualTo("refused");
    }
  }

  /** The last reload's entry once there are {@code count} (the entry is written just after the reload is applied). */
  static JsonObject lastReload(GatewayFixture f, int count) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    List<JsonObject> reloads;
    do {
      reloads = audit(f).stream().filter(e -> e.getString("action").equals("config.reload")).toList();
      if (reloads.size() >= count) {
        assertThat(reloads).hasSize(count);
        return reloads.get(count - 1);
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no audit entry for reload " + count + ": " + reloads);
  }

  @Test
  void spendIsSummedPerUserTeamKeyAndModel() throws Exception {
    spendIsSummed(config("redis"));
  }

  @Test
  void spendIsSummedOnARedisClusterToo() throws Exception {
    // each day's sums are one key: a Cluster slot of its own; the audit stream and the keys too
    try (io.portcullis.RedisCluster cluster = new io.portcullis.RedisCluster()) {
      String text = config("redis").replace("redis: {url: \"" + redis.url() + "\"}", "redis: {cluster: " + cluster.seeds() + "}");
      assertThat(text).contains("redis: {cluster: ").doesNotContain(redis.url());
      spendIsSummed(text);
    }
  }

  static void spendIsSummed(String text) throws Exception {
    try (GatewayFixture f = new GatewayFixture(text)) {
      JsonObject a = ok(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"sam\",\"team\":\"blue\",\"roles\":[\"chatter\",\"other\"]}"), 201);
      JsonObject b = ok(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"tess\",\"team\":\"blue\",\"roles\":[\"chatter\"]}"), 201);
      long samNano = 0;
      long tessNano = 0;
      long otherNano = 0;
      for (int i = 0; i < 5; i++) {
        for (String[] call : new String[][] {{a.getString("key"), "chat"}, {a.getString("key"), "other"}, {b.getString("key"), "chat"}}) {
          HttpResponse<String> res = f.post("/v1/chat/completions", chat(call[1], false, "/echo one two three " + i), bearer(call[0]));
          assertThat(res.statusCode()).isEqualTo(200);
          JsonObject usage = new JsonObject(res.body()).getJsonObject("usage");
          // $1000 and $2000 per million tokens: a token is 1,000,000 and 2,000,000 nano-dollars
          long nano = usage.getLong("prompt_tokens") * 1_000_000L + usage.getLong("completion_tokens") * 2_000_000L;
          if (call[0].equals(a.getString("key"))) {
            samNano += nano;
          } else {
            tessNano += nano;
          }
          if (call[1].equals("other")) {
            otherNano += nano;
          }
        }
      }
      long total = samNano + tessNano;
      // the sums reach Redis within a flush (a second)
      long deadline = System.nanoTime() + 5_000_000_000L;
      JsonObject byUser;
      do {
        Thread.sleep(200);
        byUser = ok(call(f, "GET", "/admin/spend?group_by=user", VIEWER, null), 200);
      } while (!byUser.getValue("total_usd").toString().equals(usd(total)) && System.nanoTime() < deadline);
      assertThat(rows(byUser, "user")).containsExactlyInAnyOrderEntriesOf(Map.of("sam", usd(samNano), "tess", usd(tessNano)));
      assertThat(rows(ok(call(f, "GET", "/admin/spend?group_by=team", VIEWER, null), 200), "team"))
          .containsExactlyInAnyOrderEntriesOf(Map.of("blue", usd(total)));
      assertThat(rows(ok(call(f, "GET", "/admin/spend?group_by=key", VIEWER, null), 200), "key"))
          .containsExactlyInAnyOrderEntriesOf(Map.of(a.getString("id"), usd(samNano), b.getString("id"), usd(tessNano)));
      assertThat(rows(ok(call(f, "GET", "/admin/spend?group_by=model", VIEWER, null), 200), "model"))
          .containsExactlyInAnyOrderEntriesOf(Map.of("chat", usd(total - otherNano), "other", usd(otherNano)));
      // a range that ends before today has none of it
      JsonObject past = ok(call(f, "GET", "/admin/spend?group_by=user&from=2020-01-01&to=2020-01-31", VIEWER, null), 200);
      assertThat(past.getJsonArray("rows")).isEmpty();
    }
  }

  static String usd(long nano) {
    return new java.math.BigDecimal(nano).movePointLeft(9).stripTrailingZeros().toPlainString();
  }

  static Map<String, String> rows(JsonObject spend, String by) {
    Map<String, String> out = new java.util.HashMap<>();
    for (Object r : spend.getJsonArray("rows")) {
      JsonObject row = (JsonObject) r;
      out.put(row.getString(by), new java.math.BigDecimal(row.getValue("cost_usd").toString()).stripTrailingZeros().toPlainString());
    }
    return out;
  }

  @Test
  void withoutRedisKeysAndBlocksLiveInTheKeyFileAndTheTrailInAFile() throws Exception {
    String text = config("file");
    try (GatewayFixture f = new GatewayFixture(text)) {
      JsonObject made = ok(call(f, "POST", "/admin/keys", ADMIN, "{\"user\":\"fay\",\"roles\":[\"chatter\"]}"), 201);
      assertThat(chatStatus(f, made.getString("key"), "chat")).isEqualTo(200);
      ok(call(f, "POST", "/admin/users/fay/block", ADMIN, null), 200);
      awaitStatus(f, made.getString("key"), 403);
      Path keyFile = dir.resolve("keys-file.yaml");
      assertThat(Files.readString(keyFile)).contains("user:fay").doesNotContain(made.getString("key"));
      ok(call(f, "POST", "/admin/users/fay/unblock", ADMIN, null), 200);
      awaitStatus(f, made.getString("key"), 200);
      Path trail = dir.resolve("audit-" + "file".hashCode() + ".jsonl");
      List<String> lines = Files.readAllLines(trail);
      assertThat(lines).hasSize(3);
      assertThat(lines.get(0)).contains("\"action\":\"key.create\"");
      assertThat(audit(f)).hasSize(3);
      assertThat(audit(f).get(2).getString("action")).isEqualTo("user.unblock");
    }
  }

  @Test
  void theOpenApiDocumentDescribesEveryRoute() throws Exception {
    try (GatewayFixture f = new GatewayFixture(config("redis"))) {
      HttpResponse<String> doc = call(f, "GET", "/admin/openapi.json", null, null);
      JsonObject api = ok(doc, 200);
      assertThat(api.getString("openapi")).startsWith("3.1");
      Set<String> documented = new TreeSet<>();
      api.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).fieldNames()
          .forEach(m -> documented.add(m.toUpperCase() + " " + p.getKey().replaceAll("\\{[^}]+}", ":p"))));
      // the routes the API mounts, read from its source: each must be documented, and nothing more
      String source = Files.readString(Path.of("src/main/java/io/portcullis/admin/AdminApi.java"));
      Set<String> mounted = new TreeSet<>();
      Matcher m = Pattern.compile("router\\.(get|post|patch|delete)\\(\"(/admin/[^\"]+)\"\\)").matcher(source);
      while (m.find()) {
        mounted.add(m.group(1).toUpperCase() + " " + m.group(2).replaceAll(":[a-z]+", ":p"));
      }
      for (String kind : List.of("user", "team")) {
        for (String verb : List.of("revoke-keys", "block", "unblock")) {
          mounted.add("POST /admin/" + kind + "s/:p/" + verb);
        }
      }
      assertThat(documented).isEqualTo(mounted);
    }
  }
}
