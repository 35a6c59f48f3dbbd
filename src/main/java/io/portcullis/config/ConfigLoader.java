package io.portcullis.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code portcullis.yaml} into a validated {@link GatewayConfig}. It does file I/O (the config
 * and key files), so it runs on the main thread at start-up and on a worker for reloads.
 */
public final class ConfigLoader {

  private static final YAMLMapper YAML = new YAMLMapper();

  private final Map<String, String> env;
  private final List<SectionCheck> checks;

  /**
   * @param env the environment {@code ${VAR}} references read
   * @param checks the features' checks of their own sections, run after parsing
   */
  public ConfigLoader(Map<String, String> env, List<SectionCheck> checks) {
    this.env = env;
    this.checks = List.copyOf(checks);
  }

  /** The config file used when none is named: {@code $PORTCULLIS_CONFIG}, else this. */
  public static final String DEFAULT_FILE = "conf/portcullis.yaml";

  /** The file a command reads: the one it was given, else {@code $PORTCULLIS_CONFIG}, else the default. */
  public static Path chosen(Path given, Map<String, String> env) {
    if (given != null) {
      return given;
    }
    String named = env.get("PORTCULLIS_CONFIG");
    return Path.of(named != null && !named.isBlank() ? named : DEFAULT_FILE);
  }

  public GatewayConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, base);
  }

  /** Parses config text; relative key-file paths resolve against {@code baseDir}. */
  public GatewayConfig parse(String text, Path baseDir) throws ConfigException {
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException("not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
    }
    ConfigReader reader = new ConfigReader(new EnvInterpolation(env));
    ConfigReader.Section root = reader.root(tree);
    root.only(Set.of("server", "admin", "upstream", "stream", "mock", "scrub", "auth", "limits", "redis", "observe", "guards",
        "web", "prices", "providers", "models"));

    GatewayConfig config = new GatewayConfig(
        server(root.section("server"), baseDir),
        admin(root.section("admin"), baseDir),
        upstream(root.section("upstream"), baseDir),
        stream(root.section("stream")),
        mock(root.section("mock")),
        scrub(root.section("scrub")),
        auth(root.section("auth"), baseDir),
        limits(root.section("limits")),
        redis(root.section("redis")),
        observe(root.section("observe")),
        guards(root.section("guards")),
        web(root.section("web")),
        prices(root),
        providers(root, baseDir),
        models(root));
    crossCheck(root, config);
    for (SectionCheck check : checks) {
      check.check(config, reader::problem);
    }
    if (!reader.problems().isEmpty()) {
      throw new ConfigException(reader.problems());
    }
    return config;
  }

  private static ServerConfig server(ConfigReader.Section s, Path baseDir) {
    s.only(Set.of("host", "port", "instances", "max_body_size", "readiness_delay", "drain_timeout", "tls", "connections", "h2c",
        "trusted_proxies", "client_address_header", "proxy_protocol", "warmup"));
    return new ServerConfig(
        s.string("host", "0.0.0.0"),
        s.integer("port", 8080, 0, 65535),
        s.integer("instances", 0, 0, 1024),
        s.bytes("max_body_size", 1L << 20),
        s.delay("readiness_delay"),
        s.duration("drain_timeout", Duration.ofSeconds(30)),
        tls(s.section("tls"), baseDir),
        connections(s.section("connections")),
        s.bool("h2c", false),
        clients(s),
        warmup(s.section("warmup")));
  }

  private static ServerConfig.Warmup warmup(ConfigReader.Section w) {
    w.only(Set.of("enabled", "duration", "concurrency"));
    ServerConfig.Warmup d = ServerConfig.Warmup.DEFAULTS;
    return new ServerConfig.Warmup(w.bool("enabled", d.enabled()), w.duration("duration", d.duration()),
        w.integer("concurrency", d.concurrency(), 1, 1024));
  }

  private static ClientAddressConfig clients(ConfigReader.Section s) {
    List<Cidr> trusted = new ArrayList<>();
    for (String text : s.has("trusted_proxies") ? s.strings("trusted_proxies") : List.<String>of()) {
      Cidr cidr = Cidr.parse(text);
      if (cidr == null) {
        s.problem("trusted_proxies", "not an address or address block: '" + text + "' (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)");
      } else {
        trusted.add(cidr);
      }
    }
    String header = s.string("client_address_header", ClientAddressConfig.X_FORWARDED_FOR).toLowerCase(Locale.ROOT);
    if (!header.equals(ClientAddressConfig.X_FORWARDED_FOR) && !header.equals(ClientAddressConfig.FORWARDED)) {
      s.problem("client_address_header", "must be x-forwarded-for or forwarded, got '" + header + "'");
    }
    return new ClientAddressConfig(trusted, header, s.bool("proxy_protocol", false));
  }

  private static ServerConfig.Connections connections(ConfigReader.Section c) {
    c.only(Set.of("header_timeout", "keep_alive_timeout", "body_timeout", "max", "max_per_client"));
    ServerConfig.Connections d = ServerConfig.Connections.DEFAULTS;
    return new ServerConfig.Connections(
        c.duration("header_timeout", d.headerTimeout()),
        c.duration("keep_alive_timeout", d.keepAliveTimeout()),
        c.duration("body_timeout", d.bodyTimeout()),
        c.integer("max", d.max(), 0, 10_000_000),
        c.integer("max_per_client", d.maxPerClient(), 0, 10_000_000));
  }

  private static TlsConfig tls(ConfigReader.Section t, Path baseDir) {
    t.only(Set.of("enabled", "cert", "key", "pkcs12", "password", "client_auth", "client_ca", "client_ca_password"));
    if (!t.bool("enabled", false)) {
      return TlsConfig.off();
    }
    Path cert = file(t, "cert", baseDir);
    Path key = file(t, "key", baseDir);
    Path pkcs12 = file(t, "pkcs12", baseDir);
    if ((cert == null) != (key == null)) {
      t.problem(cert == null ? "cert" : "key", "cert and key go together (PEM files)");
    }
    if ((cert == null) == (pkcs12 == null)) {
      t.problem("cert", "TLS needs either cert + key (PEM) or pkcs12");
    }
    String clientAuth = t.string("client_auth", "none");
    if (!Set.of("none", "request", "required").contains(clientAuth)) {
      t.problem("client_auth", "must be none, request or required, got '" + clientAuth + "'");
    }
    Path clientCa = file(t, "client_ca", baseDir);
    if (!clientAuth.equals("none") && clientCa == null) {
      t.problem("client_ca", "client_auth: " + clientAuth + " needs client_ca (the CAs client certificates chain to)");
    }
    String password = t.optionalString("password");
    String caPassword = t.optionalString("client_ca_password");
    return new TlsConfig(true, cert, key, pkcs12, password == null ? null : new Secret(password), clientAuth, clientCa,
        caPassword == null ? null : new Secret(caPassword));
  }

  /** A file option, relative to the config's directory, that must exist; null when not set. */
  private static Path file(ConfigReader.Section s, String key, Path baseDir) {
    String name = s.optionalString(key);
    if (name == null) {
      return null;
    }
    Path path = baseDir == null ? Path.of(name) : baseDir.resolve(name);
    if (!Files.isReadable(path)) {
      s.problem(key, "cannot read " + path);
    }
    return path;
  }

  private static GuardConfig guards(ConfigReader.Section s) {
    s.only(Set.of("enabled", "validation", "injection", "roles", "edge", "cors"));
    GuardConfig.Validation defaults = new GuardConfig.Validation(512, 100_000, 1_000_000, 65_536, 8, 2048, GuardConfig.UnknownFields.PASS, Set.of());
    GuardConfig.Validation validation = validation(s.section("validation"), defaults);
    GuardConfig.Injection injection = injection(s.section("injection"), new GuardConfig.Injection(GuardConfig.InjectionAction.FLAG, 1.0));
    Map<String, GuardConfig.RoleGuards> roles = new HashMap<>();
    s.sectionMap("roles").forEach((role, r) -> {
      r.only(Set.of("validation", "injection"));
      roles.put(role, new GuardConfig.RoleGuards(validation(r.section("validation"), validation),
          injection(r.section("injection"), injection)));
    });
    ConfigReader.Section e = s.section("edge");
    e.only(Set.of("max_header_size", "max_url_length", "max_json_depth", "max_json_string_length"));
    GuardConfig.Edge edge = new GuardConfig.Edge((int) Math.min(e.bytes("max_header_size", 16 * 1024), 1 << 20),
        e.integer("max_url_length", 4096, 64, 1 << 20), e.integer("max_json_depth", 64, 4, 10_000),
        e.integer("max_json_string_length", 16 * 1024 * 1024, 1024, Integer.MAX_VALUE / 2));
    ConfigReader.Section c = s.section("cors");
    c.only(Set.of("origins", "routes", "credentials", "max_age", "headers"));
    List<String> origins = c.strings("origins");
    Map<String, List<String>> routes = new HashMap<>();
    ConfigReader.Section rs = c.section("routes");
    for (String route : EndpointNames.ALL) {
      if (rs.has(route)) {
        routes.put(route, rs.strings(route));
      }
    }
    rs.only(Set.copyOf(EndpointNames.ALL));
    boolean credentials = c.bool("credentials", false);
    List<String> all = new ArrayList<>(origins);
    routes.values().forEach(all::addAll);
    for (String origin : all) {
      if (origin.equals("*")) {
        if (credentials) {
          c.problem("credentials", "an origin of * cannot go with credentials: true (browsers refuse it, and it would hand any site the user's session)");
        }
      } else if (!origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
        c.problem("origins", "'" + origin + "' is not an origin (scheme://host[:port], no path)");
      }
    }
    List<String> headers = c.has("headers") ? c.strings("headers")
        : List.of("authorization", "content-type", "x-request-id", "x-api-key", "anthropic-version");
    return new GuardConfig(s.bool("enabled", true), validation, injection, roles, edge,
        new GuardConfig.Cors(origins, routes, credentials, c.duration("max_age", Duration.ofMinutes(10)), headers));
  }

  private static GuardConfig.Validation validation(ConfigReader.Section v, GuardConfig.Validation d) {
    v.only(Set.of("max_messages", "max_message_chars", "max_total_chars", "max_tokens", "max_n", "max_inputs", "unknown_fields",
        "forbidden"));
    GuardConfig.UnknownFields unknown = v.word("unknown_fields", GuardConfig.UnknownFields.class, d.unknownFields());
    return new GuardConfig.Validation(v.integer("max_messages", d.maxMessages(), 1, 1_000_000),
        v.integer("max_message_chars", d.maxMessageChars(), 1, Integer.MAX_VALUE / 2),
        v.integer("max_total_chars", d.maxTotalChars(), 1, Integer.MAX_VALUE / 2),
        v.integer("max_tokens", d.maxTokens(), 1, 100_000_000), v.integer("max_n", d.maxN(), 1, 128),
        v.integer("max_inputs", d.maxInputs(), 1, 1_000_000), unknown,
        v.has("forbidden") ? Set.copyOf(v.strings("forbidden")) : d.forbidden());
  }

  private static GuardConfig.Injection injection(ConfigReader.Section i, GuardConfig.Injection d) {
    i.only(Set.of("action", "threshold"));
    GuardConfig.InjectionAction action = i.word("action", GuardConfig.InjectionAction.class, d.action());
    return new GuardConfig.Injection(action, i.decimal("threshold", d.threshold(), 0.1, 100));
  }

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private static AdminConfig admin(ConfigReader.Section s, Path baseDir) {
    s.only(Set.of("enabled", "host", "port", "tokens", "audit"));
    List<AdminConfig.Token> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Section t : s.sections("tokens")) {
      t.only(Set.of("name", "role", "sha256"));
      String name = t.string("name", "");
      String hash = t.string("sha256", "");
      if (name.isEmpty() || !names.add(name)) {
        t.problem("name", name.isEmpty() ? "is required" : "'" + name + "' names two tokens");
      }
      if (!SHA256.matcher(hash).matches()) {
        t.problem("sha256", "must be the token's SHA-256 in lower-case hex (portcullis admin-token prints it)");
      }
      tokens.add(new AdminConfig.Token(name, t.word("role", AdminConfig.Role.class, AdminConfig.Role.VIEWER), hash));
    }
    ConfigReader.Section a = s.section("audit");
    a.only(Set.of("file", "max_entries", "max_age"));
    AdminConfig.Audit audit = new AdminConfig.Audit(resolve(baseDir, a.string("file", "audit.jsonl")),
        a.integer("max_entries", 100_000, 100, 100_000_000), a.duration("max_age", Duration.ofDays(365)));
    return new AdminConfig(s.bool("enabled", true), s.string("host", "127.0.0.1"), s.integer("port", 9090, 0, 65535),
        tokens, audit);
  }

  private static ObserveConfig observe(ConfigReader.Section s) {
    s.only(Set.of("metrics", "vertx_metrics", "probe_interval", "access_log", "anomaly", "tracing"));
    ConfigReader.Section a = s.section("access_log");
    a.only(Set.of("enabled", "prompts", "max_chars", "hash_key"));
    ObserveConfig.Prompts prompts = a.word("prompts", ObserveConfig.Prompts.class, ObserveConfig.Prompts.OFF);
    String hashKey = a.optionalString("hash_key");
    if (prompts == ObserveConfig.Prompts.HASH && (hashKey == null || hashKey.length() < 16)) {
      a.problem("hash_key", "prompts: hash needs a hash_key of at least 16 characters (a secret: give it from the environment)");
    }
    ConfigReader.Section d = s.section("anomaly");
    d.only(Set.of("enabled", "interval", "half_life", "threshold", "min_requests", "min_tokens", "warmup", "tighten", "cooldown"));
    Duration interval = d.duration("interval", Duration.ofSeconds(10));
    Duration halfLife = d.duration("half_life", Duration.ofMinutes(30));
    if (halfLife.compareTo(interval) < 0) {
      d.problem("half_life", "must be at least the interval (" + interval + ")");
    }
    return new ObserveConfig(s.bool("metrics", true), s.bool("vertx_metrics", true),
        s.duration("probe_interval", Duration.ofSeconds(5)),
        new ObserveConfig.AccessLog(a.bool("enabled", true), prompts, a.integer("max_chars", 256, 16, 1_000_000), hashKey),
        new ObserveConfig.Anomaly(d.bool("enabled", true), interval, halfLife, d.decimal("threshold", 6, 1, 1000),
            d.longInteger("min_requests", 30, 1, Long.MAX_VALUE / 4), d.longInteger("min_tokens", 50_000, 1, Long.MAX_VALUE / 4),
            d.integer("warmup", 30, 1, 1_000_000), d.decimal("tighten", 1, 0.01, 1), d.duration("cooldown", Duration.ofMinutes(5))),
        tracing(s.section("tracing")));
  }

  private static ObserveConfig.Tracing tracing(ConfigReader.Section t) {
    t.only(Set.of("enabled", "endpoint", "sampling", "service_name", "headers", "capture_content", "max_chars"));
    ObserveConfig.Tracing d = ObserveConfig.Tracing.OFF;
    String endpoint = t.string("endpoint", d.endpoint());
    if (!isHttpUrl(endpoint)) {
      t.problem("endpoint", "must be an http(s) URL such as http://collector:4318/v1/traces");
    }
    return new ObserveConfig.Tracing(t.bool("enabled", false), endpoint, t.decimal("sampling", 1.0, 0, 1),
        t.string("service_name", d.serviceName()), t.stringMap("headers"), t.bool("capture_content", false),
        t.integer("max_chars", d.maxChars(), 16, 1_000_000));
  }

  private static UpstreamConfig upstream(ConfigReader.Section s, Path baseDir) {
    s.only(Set.of("pool_size", "max_response_size", "trust", "trust_password"));
    String trustPassword = s.optionalString("trust_password");
    return new UpstreamConfig(s.integer("pool_size", 4096, 1, 1_000_000), s.bytes("max_response_size", 10L << 20),
        file(s, "trust", baseDir), trustPassword == null ? null : new Secret(trustPassword));
  }

  private static StreamConfig stream(ConfigReader.Section s) {
    s.only(Set.of("max_event_size", "heartbeat_interval"));
    long max = s.bytes("max_event_size", 1L << 20);
    if (max > Integer.MAX_VALUE / 2) {
      s.problem("max_event_size", "must be at most 1GiB");
      max = 1L << 20;
    }
    return new StreamConfig((int) max, s.duration("heartbeat_interval", Duration.ofSeconds(15)));
  }

  /** {@code prices}: model name or glob to {@code {input, output, cached_input}}, USD per million tokens, over the shipped table. */
  private static PriceTable prices(ConfigReader.Section root) {
    Map<String, PriceTable.Price> overrides = new LinkedHashMap<>();
    root.sectionMap("prices").forEach((model, p) -> {
      p.only(Set.of("input", "output", "cached_input"));
      double input = p.decimal("input", -1, 0, 10_000);
      double output = p.decimal("output", -1, 0, 10_000);
      for (String field : List.of("input", "output")) {
        if (!p.has(field)) {
          p.problem(field, "is required (USD per million tokens)");
        }
      }
      overrides.put(model, new PriceTable.Price(Math.max(0, input), Math.max(0, output), p.decimal("cached_input", Math.max(0, input), 0, 10_000)));
    });
    return PriceTable.of(overrides);
  }

  private static WebConfig web(ConfigReader.Section s) {
    s.only(Set.of("enabled"));
    return new WebConfig(s.bool("enabled", false));
  }

  private static MockConfig mock(ConfigReader.Section s) {
    s.only(Set.of("enabled", "host", "port", "tokens_per_second", "tokens", "first_byte_delay"));
    return new MockConfig(
        s.bool("enabled", false),
        s.string("host", "127.0.0.1"),
        s.integer("port", 8090, 0, 65535),
        s.decimal("tokens_per_second", 50, 0, 1_000_000),
        s.integer("tokens", 24, 1, 1_000_000),
        s.delay("first_byte_delay"));
  }

  private static ScrubConfig scrub(ConfigReader.Section s) {
    s.only(Set.of("enabled", "max_hold", "disable", "request_action", "mask", "custom", "rules"));
    List<String> disabled = s.strings("disable");
    ScrubConfig.RequestAction action = s.word("request_action", ScrubConfig.RequestAction.class, ScrubConfig.RequestAction.REDACT);
    String mask = s.string("mask", "[REDACTED:{rule}]");
    List<CustomRuleConfig> custom = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Section c : s.sections("custom")) {
      c.only(Set.of("name", "prefixes", "chars", "min_length", "max_length"));
      String name = c.string("name", null);
      if (name != null && !name.matches("[a-z][a-z0-9_]{0,63}")) {
        c.problem("name", "must be lower case letters, digits and _ (it becomes a metric label)");
      } else if (name != null && !names.add(name)) {
        c.problem("name", "a rule named '" + name + "' exists already");
      }
      List<String> prefixes = c.strings("prefixes");
      if (prefixes.isEmpty() || prefixes.stream().anyMatch(String::isEmpty)) {
        c.problem("prefixes", "at least one non-empty prefix is required");
      }
      String chars = c.string("chars", "A-Za-z0-9");
      int min = c.integer("min_length", 16, 1, 1024);
      int max = c.integer("max_length", 64, 1, 1024);
      if (min > max) {
        c.problem("min_length", "must not exceed max_length (" + max + ")");
      }
      custom.add(new CustomRuleConfig(name, prefixes, chars, min, max));
    }
    Map<String, ScrubConfig.RuleOverride> rules = new HashMap<>();
    s.sectionMap("rules").forEach((rule, r) -> {
      r.only(Set.of("mask", "request_action"));
      rules.put(rule, new ScrubConfig.RuleOverride(r.optionalString("mask"), r.word("request_action", ScrubConfig.RequestAction.class, null)));
    });
    return new ScrubConfig(s.bool("enabled", false), s.integer("max_hold", 512, 16, 1 << 20),
        new HashSet<>(disabled), action, mask, custom, rules);
  }

  private static AuthConfig auth(ConfigReader.Section s, Path baseDir) {
    s.only(Set.of("enabled", "api_keys", "jwt", "brute_force", "roles", "default_roles"));
    ConfigReader.Section keys = s.section("api_keys");
    keys.only(Set.of("file", "redis", "rotation_overlap", "cache"));
    ConfigReader.Section cache = keys.section("cache");
    cache.only(Set.of("ttl", "max_entries", "stale_if_error"));
    AuthConfig.KeyCacheConfig d = AuthConfig.KeyCacheConfig.DEFAULTS;
    AuthConfig.KeyCacheConfig keyCache = new AuthConfig.KeyCacheConfig(cache.duration("ttl", d.ttl()),
        cache.integer("max_entries", d.maxEntries(), 0, 10_000_000), cache.delay("stale_if_error"));
    if (!cache.has("stale_if_error")) {
      keyCache = new AuthConfig.KeyCacheConfig(keyCache.ttl(), keyCache.maxEntries(), d.staleIfError());
    }
    String file = keys.optionalString("file");
    AuthConfig.JwtConfig jwt = s.has("jwt") ? jwt(s.section("jwt"), baseDir) : null;
    ConfigReader.Section bf = s.section("brute_force");
    bf.only(Set.of("max_failures", "window", "cooldown"));
    AuthConfig.BruteForceConfig bruteForce = new AuthConfig.BruteForceConfig(bf.integer("max_failures", 20, 1, 1_000_000),
        bf.duration("window", Duration.ofMinutes(1)), bf.duration("cooldown", Duration.ofMinutes(5)));
    List<AuthConfig.RoleConfig> roles = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Section r : s.sections("roles")) {
      r.only(Set.of("name", "models", "endpoints", "limit"));
      String name = r.string("name", null);
      if (name != null && !names.add(name)) {
        r.problem("name", "duplicate role '" + name + "'");
      }
      List<String> endpoints = r.has("endpoints") ? r.strings("endpoints") : AuthConfig.RoleConfig.ENDPOINTS;
      for (String e : endpoints) {
        if (!AuthConfig.RoleConfig.ENDPOINTS.contains(e)) {
          r.problem("endpoints", "unknown endpoint '" + e + "' (known: " + String.join(", ", AuthConfig.RoleConfig.ENDPOINTS) + ")");
        }
      }
      roles.add(new AuthConfig.RoleConfig(name, r.strings("models"), endpoints, r.optionalString("limit")));
    }
    List<String> defaults = s.strings("default_roles");
    for (String role : defaults) {
      if (!names.contains(role)) {
        s.problem("default_roles", "no role named '" + role + "'");
      }
    }
    boolean enabled = s.bool("enabled", false);
    boolean redisKeys = keys.bool("redis", false);
    if (enabled && file == null && !redisKeys && jwt == null) {
      s.problem("enabled", "no way to authenticate: set api_keys.file, api_keys.redis or jwt");
    }
    Path keyFile = file == null ? null : resolve(baseDir, file);
    List<StoredKey> fileKeys = keyFile == null ? List.of() : KeyFile.read(keyFile, message -> keys.problem("file", message));
    for (StoredKey k : fileKeys) {
      k.roles().stream().filter(r -> !names.contains(r)).findFirst()
          .ifPresent(r -> keys.problem("file", "key " + k.id() + " has role '" + r + "', which no role defines"));
    }
    Set<String> blocked = keyFile == null ? Set.of() : KeyFile.readBlocked(keyFile, message -> keys.problem("file", message));
    return new AuthConfig(enabled, keyFile, fileKeys, redisKeys,
        keys.duration("rotation_overlap", Duration.ofHours(24)), jwt, bruteForce, roles, defaults, keyCache, blocked);
  }

  private static AuthConfig.JwtConfig jwt(ConfigReader.Section j, Path baseDir) {
    j.only(Set.of("secret", "jwks_file", "jwks_url", "algorithms", "issuer", "audience", "leeway", "max_token_size",
        "jwks_refresh_floor", "jwks_max_age", "claims"));
    String secret = j.optionalString("secret");
    String jwksFile = j.optionalString("jwks_file");
    String jwksUrl = j.optionalString("jwks_url");
    if (secret == null && jwksFile == null && jwksUrl == null) {
      j.problem("secret", "one of secret, jwks_file or jwks_url is required");
    }
    if (jwksUrl != null && !isHttpUrl(jwksUrl)) {
      j.problem("jwks_url", "not an http(s) URL: '" + jwksUrl + "'");
    }
    if (secret != null && secret.length() < 32) {
      j.problem("secret", "must be at least 32 characters (an HMAC key that short can be guessed)");
    }
    List<String> algorithms = j.has("algorithms") ? j.strings("algorithms")
        : AuthConfig.JwtConfig.ALGORITHMS.stream().filter(a -> secret != null ? true : !a.startsWith("HS")).toList();
    for (String a : algorithms) {
      if (!AuthConfig.JwtConfig.ALGORITHMS.contains(a)) {
        j.problem("algorithms", "unsupported algorithm '" + a + "' (supported: " + String.join(", ", AuthConfig.JwtConfig.ALGORITHMS) + ")");
      }
    }
    ConfigReader.Section claims = j.section("claims");
    claims.only(Set.of("user", "team", "roles"));
    return new AuthConfig.JwtConfig(secret == null ? null : new Secret(secret),
        jwksFile == null ? null : resolve(baseDir, jwksFile), jwksUrl, algorithms, j.optionalString("issuer"),
        j.optionalString("audience"), j.duration("leeway", Duration.ofSeconds(30)),
        (int) j.bytes("max_token_size", 8192), j.duration("jwks_refresh_floor", Duration.ofSeconds(30)),
        j.duration("jwks_max_age", Duration.ofMinutes(5)),
        claims.string("user", "sub"), claims.string("team", "team"), claims.string("roles", "roles"));
  }

  private static LimitsConfig limits(ConfigReader.Section s) {
    s.only(Set.of("expected_instances", "policies", "enforce_max_tokens", "claim_increment", "lease"));
    Map<String, LimitsConfig.Policy> policies = new HashMap<>();
    s.sectionMap("policies").forEach((name, p) -> {
      p.only(Set.of("requests", "tokens", "input_tokens", "output_tokens", "daily_tokens", "monthly_tokens", "concurrent",
          "daily_usd", "monthly_usd", "team", "models", "default_max_tokens", "on_redis_failure", "concurrency_lease"));
      LimitsConfig.OnRedisFailure mode = p.word("on_redis_failure", LimitsConfig.OnRedisFailure.class,
          LimitsConfig.OnRedisFailure.LOCAL);
      LimitsConfig.Limits user = holderLimits(p);
      LimitsConfig.Limits team = null;
      if (p.has("team")) {
        ConfigReader.Section t = p.section("team");
        t.only(HOLDER_LIMITS);
        team = holderLimits(t);
      }
      List<LimitsConfig.ModelLimits> models = new ArrayList<>();
      p.sectionMap("models").forEach((pattern, m) -> {
        m.only(HOLDER_LIMITS);
        LimitsConfig.Limits l = holderLimits(m);
        if (!l.any()) {
          m.problem("requests", "a model entry needs at least one limit");
        }
        models.add(new LimitsConfig.ModelLimits(pattern, l));
      });
      if (!user.any() && (team == null || !team.any()) && models.isEmpty()) {
        p.problem("requests", "a policy needs at least one limit, a team or a models entry");
      }
      policies.put(name, new LimitsConfig.Policy(name, user, team, models, p.integer("default_max_tokens", 1024, 1, 10_000_000),
          mode, p.duration("concurrency_lease", Duration.ofMinutes(15))));
    });
    ConfigReader.Section lease = s.section("lease");
    lease.only(Set.of("share", "time"));
    double share = lease.decimal("share", 0.001, 0, 0.1);
    Duration leaseTime = lease.duration("time", Duration.ofSeconds(1));
    if (leaseTime.compareTo(Duration.ofMillis(10)) < 0 || leaseTime.compareTo(Duration.ofMinutes(1)) > 0) {
      lease.problem("time", "must be between 10ms and 1m");
    }
    return new LimitsConfig(s.integer("expected_instances", 1, 1, 10_000), policies, s.bool("enforce_max_tokens", true),
        s.integer("claim_increment", 64, 1, 100_000), new LimitsConfig.Lease(share, leaseTime));
  }

  private static final Set<String> HOLDER_LIMITS = Set.of("requests", "tokens", "input_tokens", "output_tokens", "daily_tokens",
      "monthly_tokens", "concurrent", "daily_usd", "monthly_usd");

  private static LimitsConfig.Limits holderLimits(ConfigReader.Section s) {
    return new LimitsConfig.Limits(window(s, "requests"), window(s, "tokens"), window(s, "input_tokens"),
        window(s, "output_tokens"), quota(s, "daily_tokens"), quota(s, "monthly_tokens"), quota(s, "concurrent"),
        budget(s, "daily_usd"), budget(s, "monthly_usd"));
  }

  /** A budget in US dollars (a decimal: 2.50), kept in millionths of a dollar. */
  private static Long budget(ConfigReader.Section s, String key) {
    return s.has(key) ? Math.round(s.decimal(key, 1, 0.000001, 1e12) * 1_000_000) : null;
  }

  private static Long quota(ConfigReader.Section s, String key) {
    return s.has(key) ? s.longInteger(key, 1, 1, Long.MAX_VALUE / 4) : null;
  }

  private static LimitsConfig.Window window(ConfigReader.Section policy, String key) {
    if (!policy.has(key)) {
      return null;
    }
    ConfigReader.Section w = policy.section(key);
    // the burst guard paces requests; on tokens a single large request could never pass it
    w.only(key.equals("requests") ? Set.of("limit", "window", "burst") : Set.of("limit", "window"));
    Duration window = w.duration("window", Duration.ofMinutes(1));
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(30)) > 0) {
      w.problem("window", "must be between 1s and 30d, got " + window);
    }
    long limit = w.longInteger("limit", 1, 1, Long.MAX_VALUE / 4);
    Long burst = null;
    if (w.has("burst")) {
      burst = w.longInteger("burst", 1, 1, Long.MAX_VALUE / 4);
      if (burst > limit) {
        w.problem("burst", "must not exceed limit (" + limit + "), got " + burst);
      }
    }
    return new LimitsConfig.Window(limit, window, burst);
  }

  private static RedisConfig redis(ConfigReader.Section s) {
    s.only(Set.of("url", "cluster", "timeout"));
    String url = s.optionalString("url");
    List<String> cluster = s.strings("cluster");
    if (url != null && !cluster.isEmpty()) {
      s.problem("cluster", "set url (one server) or cluster (seed nodes), not both");
    }
    for (String u : url == null ? cluster : List.of(url)) {
      if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
        s.problem(url == null ? "cluster" : "url", "must start with redis:// or rediss://, got '" + u + "'");
      }
    }
    return new RedisConfig(url, cluster, s.duration("timeout", Duration.ofMillis(250)));
  }

  private static Path resolve(Path baseDir, String file) {
    return baseDir == null ? Path.of(file) : baseDir.resolve(file);
  }

  private List<ProviderConfig> providers(ConfigReader.Section root, Path baseDir) {
    List<ProviderConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Section p : root.sections("providers")) {
      p.only(Set.of("name", "type", "base_url", "api_keys", "api_key_files", "auth_header",
          "timeouts", "headers", "query_params", "responses_api"));
      String name = p.string("name", null);
      if (name != null && !names.add(name)) {
        p.problem("name", "duplicate provider name '" + name + "'");
      }
      ProviderType type = providerType(p);
      String baseUrl = p.string("base_url", null);
      if (baseUrl != null && !isHttpUrl(baseUrl.replace("{model}", "model"))) {
        p.problem("base_url", "not a URL (expected http:// or https:// with a host)");
      }
      List<Secret> keys = new ArrayList<>();
      for (String k : p.strings("api_keys")) {
        if (k.isBlank()) {
          p.problem("api_keys", "an API key is empty");
        } else {
          keys.add(new Secret(k.trim()));
        }
      }
      List<String> files = p.strings("api_key_files");
      for (int i = 0; i < files.size(); i++) {
        Path file = baseDir == null ? Path.of(files.get(i)) : baseDir.resolve(files.get(i));
        try {
          String k = Files.readString(file, StandardCharsets.UTF_8).trim();
          if (k.isEmpty()) {
            p.problem("api_key_files[" + i + "]", "file " + file + " is empty");
          } else {
            keys.add(new Secret(k));
          }
        } catch (IOException e) {
          p.problem("api_key_files[" + i + "]", "cannot read " + file);
        }
      }
      String defaultAuth = type.defaultAuthHeader();
      String authHeader = p.string("auth_header", defaultAuth).toLowerCase(Locale.ROOT);
      if (!authHeader.matches("[a-z0-9-]+")) {
        p.problem("auth_header", "not a header name: '" + authHeader + "'");
      }
      boolean responsesApi = p.bool("responses_api", false);
      if (responsesApi && !type.mayServeResponsesApi()) {
        p.problem("responses_api", "only an openai provider can serve the Responses API itself");
      }
      out.add(new ProviderConfig(name, type, baseUrl, keys, authHeader, timeouts(p.section("timeouts")),
          p.stringMap("headers"), p.stringMap("query_params"), responsesApi));
    }
    if (out.isEmpty() && !root.has("providers")) {
      root.problem("providers", "at least one provider is required");
    }
    return out;
  }

  private static ProviderType providerType(ConfigReader.Section p) {
    String type = p.string("type", "openai");
    try {
      return ProviderType.valueOf(type.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      p.problem("type", "unknown provider type '" + type + "' (known: openai, anthropic, gemini)");
      return ProviderType.OPENAI;
    }
  }

  private static Timeouts timeouts(ConfigReader.Section t) {
    t.only(Set.of("connect", "first_byte", "idle", "total"));
    Timeouts timeouts = new Timeouts(
        t.duration("connect", Duration.ofSeconds(5)),
        t.duration("first_byte", Duration.ofSeconds(60)),
        t.duration("idle", Duration.ofSeconds(60)),
        t.duration("total", Duration.ofMinutes(10)));
    if (timeouts.firstByte().compareTo(timeouts.total()) > 0) {
      t.problem("first_byte", "must not be longer than total (" + timeouts.total() + ")");
    }
    return timeouts;
  }

  private static List<ModelConfig> models(ConfigReader.Section root) {
    List<ModelConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Section m : root.sections("models")) {
      m.only(Set.of("name", "targets", "endpoints"));
      String name = m.string("name", null);
      List<String> endpoints = m.has("endpoints") ? m.strings("endpoints") : ModelConfig.CHAT;
      for (String e : endpoints) {
        if (!ModelConfig.MODEL_ENDPOINTS.contains(e)) {
          m.problem("endpoints", "unknown endpoint '" + e + "' (known: " + String.join(", ", ModelConfig.MODEL_ENDPOINTS) + ")");
        }
      }
      if (endpoints.isEmpty()) {
        m.problem("endpoints", "at least one endpoint is required");
      }
      if (name != null && !names.add(name)) {
        m.problem("name", "duplicate model name '" + name + "'");
      }
      List<TargetConfig> targets = new ArrayList<>();
      for (ConfigReader.Section t : m.sections("targets")) {
        t.only(Set.of("provider", "model"));
        targets.add(new TargetConfig(t.string("provider", null), t.string("model", name)));
      }
      if (targets.isEmpty()) {
        m.problem("targets", "at least one target is required");
      }
      out.add(new ModelConfig(name, targets, endpoints));
    }
    return out;
  }

  /** Checks that need the whole config: every target names a provider that exists. */
  private static void crossCheck(ConfigReader.Section root, GatewayConfig config) {
    for (int i = 0; i < config.models().size(); i++) {
      List<TargetConfig> targets = config.models().get(i).targets();
      for (int j = 0; j < targets.size(); j++) {
        String provider = targets.get(j).provider();
        if (provider != null && config.provider(provider).isEmpty()) {
          root.problem("models[" + i + "].targets[" + j + "].provider", "no provider named '" + provider + "'");
        } else if (provider != null && config.models().get(i).endpoints().contains(EndpointNames.EMBEDDINGS)
            && !config.provider(provider).orElseThrow().type().servesEmbeddings()) {
          root.problem("models[" + i + "].targets[" + j + "].provider", "'" + provider + "' is an "
              + config.provider(provider).orElseThrow().type().label() + " provider, which has no embeddings");
        }
      }
    }
    for (AuthConfig.RoleConfig role : config.auth().roles()) {
      if (role.limit() != null && !config.limits().policies().containsKey(role.limit())) {
        root.problem("auth.roles", "role '" + role.name() + "' names limit policy '" + role.limit() + "', which limits.policies does not define");
      }
    }
    if (config.auth().redisKeys() && !config.redis().enabled()) {
      root.problem("auth.api_keys.redis", "needs redis.url or redis.cluster");
    }
    // a budget in money is reserved at the model's price: a model without one could spend unbounded
    String budgeted = config.limits().policies().values().stream().filter(LimitsConfig.Policy::countsMoney)
        .map(LimitsConfig.Policy::name).sorted().findFirst().orElse(null);
    if (budgeted != null) {
      for (int i = 0; i < config.models().size(); i++) {
        for (TargetConfig t : config.models().get(i).targets()) {
          if (config.prices().of(t.model()) == null) {
            root.problem("models[" + i + "].targets", "upstream model '" + t.model() + "' has no price, and limit policy '"
                + budgeted + "' has a budget in money: give it one under prices");
          }
        }
      }
    }
    if (config.admin().enabled() && config.admin().port() != 0 && config.admin().port() == config.server().port()) {
      root.problem("admin.port", "must differ from server.port");
    }
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
