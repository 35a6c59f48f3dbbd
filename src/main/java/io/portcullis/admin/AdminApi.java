package io.portcullis.admin;

import io.portcullis.audit.AuditEntry;
import io.portcullis.audit.AuditTrail;
import io.portcullis.auth.Auth;
import io.portcullis.auth.KeyActions;
import io.portcullis.auth.KeyStore;
import io.portcullis.config.AdminConfig;
import io.portcullis.config.Durations;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.StoredKey;
import io.portcullis.ingress.Snapshot;
import io.portcullis.observe.LogRedaction;
import io.portcullis.observe.SpendLedger;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on the admin listener, under {@code /admin}: API keys, teams, the incident actions
 * (revoke every key of a user or team, block and unblock), the audit trail and spend. Every call
 * but the OpenAPI document needs an admin token ({@code Authorization: Bearer pca-...}): a
 * {@code viewer} reads, an {@code admin} also changes; a refused token is written to the audit
 * trail. Each change is {@link KeyActions}' (the {@code keys} command runs the same code), with the
 * token's name as the actor. Errors are OpenAI-style JSON naming the field at fault.
 */
public final class AdminApi {

  private static final int MAX_PAGE = 1000;
  static final int REFUSALS_PER_MINUTE = 60;
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  private final Supplier<Snapshot> snapshots;
  private final AuditTrail audit;
  private final SpendLedger spend;
  /** The shared Redis (keys, blocks and spend live there when configured), or null. */
  private final Redis redis;
  private final Function<GatewayConfig, KeyStore> sharedKeys;
  private Vertx vertx;
  private final Buffer openApi;
  /** Refused tokens written and skipped in the current minute (the admin server is one event loop). */
  private long refusalWindowStart = System.nanoTime();
  private int refusalsWritten;
  private int refusalsSkipped;

  /**
   * @param sharedKeys the Redis key store for a config (null when Redis is not configured)
   */
  public AdminApi(Supplier<Snapshot> snapshots, AuditTrail audit, SpendLedger spend, Redis redis,
      Function<GatewayConfig, KeyStore> sharedKeys) {
    this.snapshots = snapshots;
    this.audit = audit;
    this.spend = spend;
    this.redis = redis;
    this.sharedKeys = sharedKeys;
    this.openApi = openApiDocument();
  }

  /** The OpenAPI document, read once from the jar (at start, not on an event loop). */
  private static Buffer openApiDocument() {
    try (InputStream in = AdminApi.class.getResourceAsStream("/admin/openapi.json")) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("admin/openapi.json is missing from the jar", e);
    }
  }

  public void mount(Vertx vertx, Router router) {
    this.vertx = vertx;
    router.get("/admin/openapi.json").handler(ctx -> ctx.response().putHeader("content-type", "application/json").end(openApi));
    router.route("/admin/*").handler(this::authenticate);
    router.route("/admin/*").handler(BodyHandler.create(false).setBodyLimit(AdminCalls.MAX_BODY));
    viewer(router.get("/admin/keys"), this::listKeys);
    admin(router.post("/admin/keys"), this::createKey);
    viewer(router.get("/admin/keys/:id"), ctx -> actions().get(ctx.pathParam("id")).onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(AdminApi::key))));
    admin(router.patch("/admin/keys/:id"), this::updateKey);
    admin(router.post("/admin/keys/:id/revoke"), ctx -> actions().revoke(actor(ctx), ctx.pathParam("id"))
        .onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(AdminApi::key))));
    admin(router.post("/admin/keys/:id/rotate"), this::rotateKey);
    viewer(router.get("/admin/teams"), this::listTeams);
    viewer(router.get("/admin/teams/:name"), this::getTeam);
    for (String kind : List.of("user", "team")) {
      admin(router.post("/admin/" + kind + "s/:name/revoke-keys"), ctx -> actions().revokeAll(actor(ctx), kind, ctx.pathParam("name"))
          .onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(n -> new JsonObject().put(kind, ctx.pathParam("name")).put("revoked", n)))));
      for (boolean block : List.of(true, false)) {
        admin(router.post("/admin/" + kind + "s/:name/" + (block ? "block" : "unblock")), ctx ->
            actions().block(actor(ctx), kind, ctx.pathParam("name"), block).onComplete(ar -> AdminCalls.reply(ctx, 200,
                ar.map(v -> new JsonObject().put(kind, ctx.pathParam("name")).put("blocked", block)))));
      }
    }
    viewer(router.get("/admin/blocked"), ctx -> actions().store().blocked().onComplete(ar -> AdminCalls.reply(ctx, 200,
        ar.map(b -> new JsonObject().put("blocked", new JsonArray(new ArrayList<>(new TreeSet<>(b))))))));
    viewer(router.get("/admin/audit"), this::auditPage);
    viewer(router.get("/admin/spend"), this::spendTotals);
    router.route("/admin/*").handler(ctx -> AdminCalls.error(ctx, 404, "not_found", null, "no admin route " + ctx.request().method()
        + " " + ctx.request().path() + " (see /admin/openapi.json)"));
    router.route("/admin/*").failureHandler(AdminCalls::failed);
  }

  // ---- authentication and roles

  private void authenticate(RoutingContext ctx) {
    List<AdminConfig.Token> tokens = snapshots.get().config().admin().tokens();
    String header = ctx.request().getHeader("authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    AdminConfig.Token token = AdminTokens.verify(presented, tokens);
    if (token == null) {
      String reason = tokens.isEmpty() ? "no admin tokens are configured" : presented == null ? "no token" : "unknown token";
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"portcullis-admin\"");
      String message = tokens.isEmpty() ? "the admin API is off: configure admin.tokens" : "send an admin token: Authorization: Bearer pca-...";
      if (!refusalsMayBeWritten()) {
        AdminCalls.error(ctx, 401, "invalid_admin_token", null, message);
        return;
      }
      // the refusal is recorded (never the token): who tried, from where, for what
      // (the path may quote a whole API key: it is redacted as a log line would be)
      audit.append(AuditEntry.refused("ip:" + ctx.request().remoteAddress().hostAddress(), "admin.login",
          ctx.request().method() + " " + LogRedaction.redact(ctx.request().path()), reason))
          .onComplete(ar -> AdminCalls.error(ctx, 401, "invalid_admin_token", null, message));
      return;
    }
    ctx.put("admin.token", token);
    ctx.next();
  }

  /**
   * At most {@value #REFUSALS_PER_MINUTE} refused tokens a minute are written to the trail: a flood
   * of guesses must not push the real entries out of a trail capped by length. The rest are counted
   * and said once a minute in the log.
   */
  private boolean refusalsMayBeWritten() {
    long now = System.nanoTime();
    if (now - refusalWindowStart > 60_000_000_000L) {
      if (refusalsSkipped > 0) {
        LOG.warn("{} refused admin tokens in the last minute were not written to the audit trail (at most {} a minute are)",
            refusalsSkipped, REFUSALS_PER_MINUTE);
      }
      refusalWindowStart = now;
      refusalsWritten = 0;
      refusalsSkipped = 0;
    }
    if (refusalsWritten < REFUSALS_PER_MINUTE) {
      refusalsWritten++;
      return true;
    }
    refusalsSkipped++;
    return false;
  }

  private static String actor(RoutingContext ctx) {
    AdminConfig.Token t = ctx.get("admin.token");
    return "admin:" + t.name();
  }

  private void viewer(Route route, Handler<RoutingContext> h) {
    route.handler(h);
  }

  private void admin(Route route, Handler<RoutingContext> h) {
    route.handler(ctx -> {
      AdminConfig.Token t = ctx.get("admin.token");
      if (t.role() != AdminConfig.Role.ADMIN) {
        AdminCalls.error(ctx, 403, "admin_role_required", null, "token '" + t.name() + "' is a viewer: it may read, not change");
        return;
      }
      h.handle(ctx);
    });
  }

  // ---- keys

  /** The actions on the store this config names: the key file when configured, else Redis. */
  private KeyActions actions() {
    Snapshot s = snapshots.get();
    GatewayConfig c = s.config();
    Auth auth = s.get(Auth.SLOT);
    KeyStore store = auth.keyFile() != null ? new WorkerWrites(auth.keyFile(), vertx) : sharedKeys.apply(c);
    if (store == null) {
      throw new KeyActions.Refused(409, null, "no key store: configure auth.api_keys.file or redis.url");
    }
    return new KeyActions(store, audit, c.auth().roleNames(), c.auth().rotationOverlap(), Instant::now);
  }

  private void listKeys(RoutingContext ctx) {
    actions().list(ctx.queryParams().get("user"), ctx.queryParams().get("team")).onComplete(ar -> AdminCalls.reply(ctx, 200,
        ar.map(all -> new JsonObject().put("keys", new JsonArray(all.stream().map(AdminApi::key).toList())))));
  }

  private void createKey(RoutingContext ctx) {
    JsonObject body = AdminCalls.body(ctx);
    if (body == null) {
      return;
    }
    String user = AdminCalls.text(ctx, body, "user", true);
    String team = AdminCalls.text(ctx, body, "team", false);
    List<String> roles = AdminCalls.strings(ctx, body, "roles");
    Instant expires = AdminCalls.instant(ctx, body, "expires");
    if (ctx.response().ended()) {
      return;
    }
    actions().create(actor(ctx), user, team, roles == null ? List.of() : roles, expires)
        .onComplete(ar -> AdminCalls.reply(ctx, 201, ar.map(AdminApi::created)));
  }

  private void updateKey(RoutingContext ctx) {
    JsonObject body = AdminCalls.body(ctx);
    if (body == null) {
      return;
    }
    List<String> roles = AdminCalls.strings(ctx, body, "roles");
    boolean never = body.containsKey("expires") && body.getValue("expires") == null;
    Instant expires = never ? null : AdminCalls.instant(ctx, body, "expires");
    if (ctx.response().ended()) {
      return;
    }
    actions().update(actor(ctx), ctx.pathParam("id"), roles, expires, never).onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(AdminApi::key)));
  }

  private void rotateKey(RoutingContext ctx) {
    JsonObject body = ctx.body().length() == 0 ? new JsonObject() : AdminCalls.body(ctx);
    if (body == null) {
      return;
    }
    Duration overlap = null;
    if (body.getValue("overlap") != null) {
      overlap = body.getValue("overlap") instanceof String text ? Durations.parse(text) : null;
      if (overlap == null) {
        AdminCalls.error(ctx, 400, "invalid_field", "overlap", "overlap: must be a duration such as 1h, 30m or 0s");
        return;
      }
    }
    actions().rotate(actor(ctx), ctx.pathParam("id"), overlap).onComplete(ar -> AdminCalls.reply(ctx, 201,
        ar.map(c -> created(c).put("replaces", ctx.pathParam("id").startsWith("pc-") ? null : ctx.pathParam("id")))));
  }

  static JsonObject key(StoredKey k) {
    return new JsonObject().put("id", k.id()).put("user", k.user()).put("team", k.team())
        .put("roles", new JsonArray(k.roles())).put("state", k.state(Instant.now()))
        .put("created", k.created() == null ? null : k.created().toString())
        .put("expires", k.expires() == null ? null : k.expires().toString())
        .put("retires", k.retires() == null ? null : k.retires().toString()).put("revoked", k.revoked());
  }

  /** A new key: the only answer that ever carries a secret. */
  private static JsonObject created(KeyActions.Created c) {
    return key(c.stored()).put("key", c.key());
  }

  // ---- teams (every team some key names)

  private void listTeams(RoutingContext ctx) {
    KeyActions a = actions();
    Future.all(a.list(null, null), a.store().blocked()).onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(all -> {
      List<StoredKey> keys = all.resultAt(0);
      Set<String> blocked = all.resultAt(1);
      Map<String, List<StoredKey>> byTeam = new TreeMap<>();
      keys.stream().filter(k -> k.team() != null).forEach(k -> byTeam.computeIfAbsent(k.team(), t -> new ArrayList<>()).add(k));
      blocked.stream().filter(b -> b.startsWith("team:")).forEach(b -> byTeam.computeIfAbsent(b.substring(5), t -> new ArrayList<>()));
      JsonArray teams = new JsonArray();
      byTeam.forEach((name, ks) -> teams.add(team(name, ks, blocked, false)));
      return new JsonObject().put("teams", teams);
    })));
  }

  private void getTeam(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    KeyActions a = actions();
    Future.all(a.list(null, name), a.store().blocked()).onComplete(ar -> {
      if (ar.succeeded() && ((List<?>) ar.result().resultAt(0)).isEmpty() && !((Set<?>) ar.result().resultAt(1)).contains("team:" + name)) {
        AdminCalls.error(ctx, 404, "not_found", "name", "no key names team " + name);
        return;
      }
      AdminCalls.reply(ctx, 200, ar.map(all -> team(name, all.resultAt(0), all.resultAt(1), true)));
    });
  }

  private static JsonObject team(String name, List<StoredKey> keys, Set<String> blocked, boolean withKeys) {
    Instant now = Instant.now();
    JsonObject t = new JsonObject().put("team", name).put("blocked", blocked.contains("team:" + name))
        .put("keys", keys.size()).put("active_keys", keys.stream().filter(k -> !k.revoked() && !k.endedAt(now)).count())
        .put("users", new JsonArray(keys.stream().map(StoredKey::user).distinct().sorted().toList()));
    if (withKeys) {
      t.put("key_list", new JsonArray(keys.stream().map(AdminApi::key).toList()));
    }
    return t;
  }

  // ---- audit and spend

  private void auditPage(RoutingContext ctx) {
    Integer limit = AdminCalls.integer(ctx, "limit", 100, 1, MAX_PAGE);
    if (limit == null) {
      return;
    }
    String before = ctx.queryParams().get("before");
    audit.page(before, limit).onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(entries -> {
      JsonObject out = new JsonObject().put("entries", new JsonArray(entries.stream().map(AuditEntry::toJson).toList()));
      if (entries.size() == limit) {
        out.put("next_before", entries.get(entries.size() - 1).id());
      }
      return out;
    })));
  }

  private void spendTotals(RoutingContext ctx) {
    String by = ctx.queryParams().get("group_by");
    SpendLedger.GroupBy group;
    try {
      group = SpendLedger.GroupBy.valueOf((by == null ? "user" : by).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      AdminCalls.error(ctx, 400, "invalid_field", "group_by", "group_by: must be user, team, key or model");
      return;
    }
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate to = AdminCalls.day(ctx, "to", today);
    LocalDate from = AdminCalls.day(ctx, "from", to == null ? today : to.withDayOfMonth(1));
    if (from == null || to == null) {
      return;
    }
    if (from.isAfter(to) || from.plusDays(400).isBefore(to)) {
      AdminCalls.error(ctx, 400, "invalid_field", "from", "from: must be on or before to, at most 400 days before it");
      return;
    }
    Duration timeout = snapshots.get().config().redis().timeout();
    spend.totals(redis, timeout, group, from, to).onComplete(ar -> AdminCalls.reply(ctx, 200, ar.map(sums -> {
      List<Map.Entry<String, Long>> sorted = new ArrayList<>(sums.entrySet());
      sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
      JsonArray rows = new JsonArray();
      long total = 0;
      for (Map.Entry<String, Long> e : sorted) {
        rows.add(new JsonObject().put(group.name().toLowerCase(Locale.ROOT), e.getKey()).put("cost_usd", usd(e.getValue())));
        total += e.getValue();
      }
      return new JsonObject().put("group_by", group.name().toLowerCase(Locale.ROOT)).put("from", from.toString())
          .put("to", to.toString()).put("total_usd", usd(total)).put("rows", rows);
    })));
  }

  /** Nano-dollars as a plain decimal number of dollars. */
  static BigDecimal usd(long nano) {
    return BigDecimal.valueOf(nano, 9).stripTrailingZeros();
  }
}
