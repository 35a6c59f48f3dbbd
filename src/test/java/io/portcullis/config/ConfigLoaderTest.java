package io.portcullis.config;

import io.portcullis.server.Configs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.GuardConfig;
import io.portcullis.config.ObserveConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  static final String VALID = """
      providers:
        - name: a
          base_url: http://127.0.0.1:1/v1
        - name: b
          type: anthropic
          base_url: https://api.example.com/v1
      models:
        - name: m
          targets: [{provider: a, model: up-1}, {provider: b}]
      """;

  final ConfigLoader loader = Configs.loader(Map.of("KEY_ONE", "sk-one", "PORT", "8181"));

  GatewayConfig parse(String yaml) throws ConfigException {
    return loader.parse(yaml, null);
  }

  /** The problems reported for a config, which must be refused. */
  java.util.List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("config was accepted:\n" + yaml);
  }

  /** The first provider's first key as a config with this value reads it, or its problems. */
  static Object providerKey(String value) {
    ConfigLoader withEmpty = Configs.loader(Map.of("KEY_ONE", "sk-one", "EMPTY", ""));
    String yaml = VALID.replace("base_url: http://127.0.0.1:1/v1", "base_url: http://h/v1\n    api_keys: ['" + value + "']");
    try {
      return withEmpty.parse(yaml, null).providers().get(0).apiKeys().get(0).value();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  @Test
  void aMalformedReferenceIsAnErrorNeverALiteralValue() {
    String at = "providers[0].api_keys[0]: ";
    assertThat(providerKey("${KEY_ONE:sk-default}")).asList().singleElement().asString()
        .startsWith(at + "malformed reference '${KEY_ONE:sk-default}'");
    assertThat(providerKey("$KEY_ONE")).asList().singleElement().asString()
        .startsWith(at + "'$KEY_ONE' is not a reference: write ${KEY_ONE}");
    assertThat(providerKey("${KEY_ONE")).asList().singleElement().asString()
        .startsWith(at + "malformed reference '${KEY_ONE'");
    assertThat(providerKey("${1KEY}")).asList().singleElement().asString().startsWith(at + "malformed reference");
    assertThat(providerKey("pre-${KEY_ONE}-${NOPE:x}")).asList().singleElement().asString().startsWith(at + "malformed");
    // an empty variable is named, not only the option it made empty
    assertThat(providerKey("${EMPTY}")).asList().containsExactly(at + "environment variable EMPTY is empty");
    // well-formed references, a shell's :- for unset and empty alike, $$ and a lone $ as text
    assertThat(providerKey("${KEY_ONE}")).isEqualTo("sk-one");
    assertThat(providerKey("${EMPTY:-fallback}")).isEqualTo("fallback");
    assertThat(providerKey("${UNSET:-}x")).isEqualTo("x");
    assertThat(providerKey("a$$b-${KEY_ONE}")).isEqualTo("a$b-sk-one");
    assertThat(providerKey("cost $5 or $")).isEqualTo("cost $5 or $");
  }

  @Test
  void appliesDefaults() throws Exception {
    GatewayConfig c = parse(VALID);
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().maxBodyBytes()).isEqualTo(1 << 20);
    assertThat(c.server().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.providers().get(0).type()).isEqualTo(ProviderType.OPENAI);
    assertThat(c.providers().get(0).authHeader()).isEqualTo("authorization");
    assertThat(c.providers().get(1).authHeader()).isEqualTo("x-api-key");
    assertThat(c.providers().get(0).timeouts().firstByte()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.models().get(0).targets()).containsExactly(new TargetConfig("a", "up-1"), new TargetConfig("b", "m"));
    assertThat(c.models().get(0).endpoints()).containsExactly("chat_completions", "responses", "messages");
    assertThat(c.server().connections()).isEqualTo(ServerConfig.Connections.DEFAULTS);
    assertThat(c.server().h2c()).isFalse();
    assertThat(c.server().clients()).isEqualTo(ClientAddressConfig.DIRECT);
    assertThat(c.limits().lease()).isEqualTo(new LimitsConfig.Lease(0.001, Duration.ofSeconds(1)));
    assertThat(parse("limits: {lease: {share: 0, time: 250ms}}\n" + VALID).limits().lease())
        .isEqualTo(new LimitsConfig.Lease(0, Duration.ofMillis(250)));
    ClientAddressConfig clients = parse("server: {trusted_proxies: [10.0.0.0/8, \"::1\"], client_address_header: Forwarded,"
        + " proxy_protocol: true}\n" + VALID).server().clients();
    assertThat(clients.trustedProxies()).extracting(Cidr::toString).containsExactly("10.0.0.0/8", "::1/128");
    assertThat(clients.header()).isEqualTo("forwarded");
    assertThat(clients.proxyProtocol()).isTrue();
    assertThat(problems("server: {trusted_proxies: [lb.example.com, 10.0.0.0/40]}\n" + VALID)).containsExactly(
        "server.trusted_proxies: not an address or address block: 'lb.example.com' (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)",
        "server.trusted_proxies: not an address or address block: '10.0.0.0/40' (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)");
    assertThat(problems("server: {client_address_header: x-real-ip}\n" + VALID))
        .containsExactly("server.client_address_header: must be x-forwarded-for or forwarded, got 'x-real-ip'");
    ServerConfig.Connections set = parse("server: {h2c: true, connections: {header_timeout: 2s, keep_alive_timeout: 90s,"
        + " body_timeout: 1m, max: 0, max_per_client: 64}}\n" + VALID).server().connections();
    assertThat(set).isEqualTo(new ServerConfig.Connections(Duration.ofSeconds(2), Duration.ofSeconds(90), Duration.ofMinutes(1), 0, 64));
    assertThat(problems("server: {connections: {header_timeout: 0s}}\n" + VALID)).singleElement().asString()
        .startsWith("server.connections.header_timeout:");
    assertThat(problems("server: {connections: {max_per_client: -1}}\n" + VALID)).singleElement().asString()
        .startsWith("server.connections.max_per_client:");
    assertThat(c.mock().enabled()).isFalse();
  }

  @Test
  void readsUnitsAndInterpolatesTheEnvironment() throws Exception {
    GatewayConfig c = parse("""
        server: {port: "${PORT}", max_body_size: 512KiB, drain_timeout: 250ms}
        stream: {max_event_size: 2MiB, heartbeat_interval: 5s}
        providers:
          - name: a
            base_url: http://h/v1
            api_keys: ["${KEY_ONE}", "${KEY_TWO:-sk-two}"]
            timeouts: {connect: 1s, first_byte: 2m, idle: 1h, total: 1d}
        models: [{name: m, targets: [{provider: a}]}]
        """);
    assertThat(c.server().port()).isEqualTo(8181);
    assertThat(c.server().maxBodyBytes()).isEqualTo(512 * 1024);
    assertThat(c.server().drainTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.stream().maxEventBytes()).isEqualTo(2 << 20);
    assertThat(c.providers().get(0).apiKeys()).extracting(Secret::value).containsExactly("sk-one", "sk-two");
    assertThat(c.providers().get(0).timeouts().total()).isEqualTo(Duration.ofDays(1));
    // secrets never show in a printed config
    assertThat(c.toString()).doesNotContain("sk-one").doesNotContain("sk-two");
  }

  @Test
  void readsKeysFromFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("key.txt"), "  sk-from-file\n");
    Path conf = dir.resolve("p.yaml");
    Files.writeString(conf, """
        providers:
          - {name: a, base_url: "http://h/v1", api_key_files: [key.txt]}
        models: [{name: m, targets: [{provider: a}]}]
        """);
    assertThat(loader.load(conf).providers().get(0).apiKeys()).extracting(Secret::value).containsExactly("sk-from-file");
  }

  @Test
  void namesThePathOfEveryBadValue() {
    assertThat(problems(VALID.replace("https://api.example.com/v1", "not a url")))
        .containsExactly("providers[1].base_url: not a URL (expected http:// or https:// with a host)");
    assertThat(problems(VALID.replace("http://127.0.0.1:1/v1", "ftp://x/v1")))
        .containsExactly("providers[0].base_url: not a URL (expected http:// or https:// with a host)");
    assertThat(problems("server: {port: 70000}\n" + VALID)).containsExactly("server.port: must be between 0 and 65535, got 70000");
    assertThat(problems("server: {port: eighty}\n" + VALID)).containsExactly("server.port: not an integer: 'eighty'");
    assertThat(problems("server: {drain_timeout: soon}\n" + VALID))
        .containsExactly("server.drain_timeout: not a duration: 'soon' (write e.g. 250ms, 30s, 5m, 1h)");
    assertThat(problems("server: {max_body_size: 1XB}\n" + VALID)).singleElement().asString().startsWith("server.max_body_size: not a positive size");
    assertThat(problems("server: {prot: 1}\n" + VALID)).singleElement().asString().startsWith("server.prot: unknown option");
    assertThat(problems("sever: {}\n" + VALID)).singleElement().asString().startsWith("sever: unknown option");
    assertThat(problems(VALID.replace("provider: b", "provider: c")))
        .containsExactly("models[0].targets[1].provider: no provider named 'c'");
    assertThat(problems(VALID.replace("name: b", "name: a")))
        .containsExactly("providers[1].name: duplicate provider name 'a'", "models[0].targets[1].provider: no provider named 'b'");
    assertThat(problems(VALID.replace("type: anthropic", "type: cohere")))
        .containsExactly("providers[1].type: unknown provider type 'cohere' (known: openai, anthropic, gemini)");
    // Anthropic has no embeddings: the one cell of the formats table that is not served, refused at load
    assertThat(problems(VALID.replace("    targets: [{provider: a, model: up-1}, {provider: b}]",
        "    endpoints: [embeddings]\n    targets: [{provider: a, model: up-1}, {provider: b}]")))
        .containsExactly("models[0].targets[1].provider: 'b' is an anthropic provider, which has no embeddings");
    assertThat(problems(VALID.replace("type: anthropic", "type: anthropic\n    responses_api: true")))
        .containsExactly("providers[1].responses_api: only an openai provider can serve the Responses API itself");
    assertThat(problems(VALID + "  - name: m\n    targets: [{provider: a}]\n")).containsExactly("models[1].name: duplicate model name 'm'");
    assertThat(problems(VALID + "  - name: empty\n")).containsExactly("models[1].targets: at least one target is required");
    assertThat(problems(VALID + "  - name: e\n    targets: [{provider: a}]\n    endpoints: [embedding]\n"))
        .containsExactly("models[1].endpoints: unknown endpoint 'embedding' (known: chat_completions, responses, messages, embeddings)");
    assertThat(problems(VALID + "  - name: e\n    targets: [{provider: a}]\n    endpoints: []\n"))
        .containsExactly("models[1].endpoints: at least one endpoint is required");
    assertThat(problems(VALID.replace("base_url: http://127.0.0.1:1/v1", "base_url: http://h/v1\n    api_keys: [\"${NOPE}\"]")))
        .containsExactly("providers[0].api_keys[0]: environment variable NOPE is not set");
    assertThat(problems(VALID.replace("base_url: http://127.0.0.1:1/v1", "base_url: http://h/v1\n    api_key_files: [/no/such/file]")))
        .containsExactly("providers[0].api_key_files[0]: cannot read /no/such/file");
    assertThat(problems(VALID.replace("base_url: http://127.0.0.1:1/v1",
        "base_url: http://h/v1\n    timeouts: {first_byte: 10m, total: 1m}")))
        .containsExactly("providers[0].timeouts.first_byte: must not be longer than total (PT1M)");
    assertThat(problems("server: {port: 9090}\n" + VALID)).containsExactly("admin.port: must differ from server.port");
    assertThat(problems("models: []")).containsExactly("providers: at least one provider is required");
    assertThat(problems("providers: {name: a}\n")).containsExactly("providers: must be a list");
    assertThat(problems("scrub: {disable: [emails]}\n" + VALID)).singleElement().asString()
        .startsWith("scrub.disable: unknown rule 'emails' (known: ");
    assertThat(problems("scrub: {request_action: drop}\n" + VALID))
        .containsExactly("scrub.request_action: must be redact, reject, pseudonymize or off, got 'drop'");
    assertThat(problems("scrub: {max_hold: 8}\n" + VALID)).containsExactly("scrub.max_hold: must be between 16 and 1048576, got 8");
    assertThat(problems("limits: {lease: {share: 0.5}}\n" + VALID)).containsExactly("limits.lease.share: must be between 0.0 and 0.1, got 0.5");
    assertThat(problems("limits: {lease: {time: 1ms}}\n" + VALID)).containsExactly("limits.lease.time: must be between 10ms and 1m");
    assertThat(problems("limits: {lease: {size: 3}}\n" + VALID)).singleElement().asString().startsWith("limits.lease.size: unknown option");
  }

  @Test
  void readsTheScrubSection() throws Exception {
    ScrubConfig s = parse("scrub: {enabled: true, max_hold: 256, disable: [ipv4, us_ssn], request_action: off}\n" + VALID).scrub();
    assertThat(s).isEqualTo(new ScrubConfig(true, 256, java.util.Set.of("ipv4", "us_ssn"), ScrubConfig.RequestAction.OFF, "[REDACTED:{rule}]", java.util.List.of(), Map.of()));
    assertThat(parse(VALID).scrub()).isEqualTo(new ScrubConfig(false, 512, java.util.Set.of(), ScrubConfig.RequestAction.REDACT, "[REDACTED:{rule}]", java.util.List.of(), Map.of()));
    ScrubConfig custom = parse("""
        scrub:
          enabled: true
          mask: "<{rule}>"
          custom:
            - {name: acme_key, prefixes: [acme_, ACME-], chars: A-Za-z0-9, min_length: 20, max_length: 40}
        """ + VALID).scrub();
    io.portcullis.scrub.Scrubber scrubber = io.portcullis.scrub.Scrubber.of(custom);
    assertThat(scrubber.scrub("key acme_Ab3dEf6hIj9kLm2nOp5q, mail a@b.io")).isEqualTo("key <acme_key>, mail <email>");
    assertThat(scrubber.scrub("acme_short")).isEqualTo("acme_short");
    assertThat(problems("""
        scrub:
          custom:
            - {name: Bad-Name, prefixes: [x]}
            - {name: email, prefixes: [y]}
            - {name: ok_one, prefixes: [], chars: z-a, min_length: 50, max_length: 10}
        """ + VALID)).containsExactly(
        // the section's shape first (the loader), then what only the scrubber knows (its rule names, its character sets)
        "scrub.custom[0].name: must be lower case letters, digits and _ (it becomes a metric label)",
        "scrub.custom[2].prefixes: at least one non-empty prefix is required",
        "scrub.custom[2].min_length: must not exceed max_length (10)",
        "scrub.custom[1].name: a rule named 'email' exists already",
        "scrub.custom[2].chars: not a character set: 'z-a' (write ranges and characters, e.g. A-Za-z0-9_-)");
  }

  @Test
  void readsPerRuleMasksAndRequestActions() throws Exception {
    ScrubConfig s = parse("""
        scrub:
          enabled: true
          request_action: redact
          rules:
            email: {mask: "<email hidden>", request_action: off}
            aws_access_key: {request_action: reject}
            iban: {request_action: pseudonymize}
        """ + VALID).scrub();
    assertThat(s.requestAction("email")).isEqualTo(ScrubConfig.RequestAction.OFF);
    assertThat(s.requestAction("iban")).isEqualTo(ScrubConfig.RequestAction.PSEUDONYMIZE);
    assertThat(s.pseudonymizes()).isTrue();
    assertThat(s.requestAction("aws_access_key")).isEqualTo(ScrubConfig.RequestAction.REJECT);
    assertThat(s.requestAction("ipv4")).isEqualTo(ScrubConfig.RequestAction.REDACT);
    io.portcullis.scrub.Scrubber responses = io.portcullis.scrub.Scrubber.of(s);
    assertThat(responses.scrub("mail a@b.io from 10.0.0.1")).isEqualTo("mail <email hidden> from [REDACTED:ipv4]");
    io.portcullis.scrub.Scrubber requests = io.portcullis.scrub.Scrubber.forRequests(s);
    assertThat(requests.scrub("mail a@b.io from 10.0.0.1")).isEqualTo("mail a@b.io from [REDACTED:ipv4]");
    assertThat(requests.ruleCount()).isEqualTo(responses.ruleCount() - 1);
    assertThat(problems("scrub: {rules: {emails: {mask: x}, ipv4: {request_action: drop, colour: red}}}\n" + VALID))
        .containsExactlyInAnyOrder(
            "scrub.rules.emails: unknown rule 'emails' (known: " + String.join(", ",
                io.portcullis.scrub.Rules.NAMES.stream().sorted().toList()) + ")",
            "scrub.rules.ipv4.request_action: must be redact, reject, pseudonymize or off, got 'drop'",
            "scrub.rules.ipv4.colour: unknown option (known: mask, request_action)");
    assertThat(io.portcullis.scrub.Scrubber.forRequests(parse("scrub: {enabled: true, request_action: off}\n" + VALID).scrub()))
        .isNull();
  }

  @Test
  void reportsAllProblemsAtOnce() {
    assertThat(problems("server: {port: -1, instances: x}\n" + VALID.replace("provider: b", "provider: zz"))).hasSize(3);
  }

  @Test
  void refusesYamlThatDoesNotParse() {
    assertThatThrownBy(() -> parse("providers: [\n  - {name: a"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("not valid YAML");
  }

  @Test
  void theShippedConfigIsValid() throws Exception {
    GatewayConfig c = Configs.loader(Map.of()).load(Path.of("conf/portcullis.yaml"));
    assertThat(c.mock().enabled()).isTrue();
    assertThat(c.models()).isNotEmpty();
  }

  @Test
  void readsGuardsObserveAndTheNewLimitOptions() throws Exception {
    GatewayConfig c = parse(VALID + """
        guards:
          validation: {max_tokens: 100, unknown_fields: strip, forbidden: [tools]}
          injection: {action: off}
          roles: {power: {injection: {action: block}}}
          cors: {origins: ["https://a.example.com"], routes: {models: ["*"]}}
        observe:
          access_log: {prompts: off}
          anomaly: {tighten: 0.5}
        limits:
          policies:
            p:
              requests: {limit: 10, window: 1m, burst: 3}
              output_tokens: {limit: 1000, window: 1m}
              models: {"gpt-4o*": {requests: {limit: 2, window: 1m}}}
        """);
    assertThat(c.guards().validation().maxTokens()).isEqualTo(100);
    assertThat(c.guards().validation().maxMessages()).isEqualTo(512); // default kept
    assertThat(c.guards().validation().forbidden()).containsExactly("tools");
    assertThat(c.guards().injection().action()).isEqualTo(GuardConfig.InjectionAction.OFF); // a bare YAML off is a boolean: read back as the word
    assertThat(c.guards().roles().get("power").injection().action()).isEqualTo(GuardConfig.InjectionAction.BLOCK);
    assertThat(c.guards().roles().get("power").validation().unknownFields()).isEqualTo(GuardConfig.UnknownFields.STRIP); // inherited
    assertThat(c.guards().cors().originsFor("models")).containsExactly("*");
    assertThat(c.guards().cors().originsFor("embeddings")).containsExactly("https://a.example.com");
    assertThat(c.observe().accessLog().prompts()).isEqualTo(ObserveConfig.Prompts.OFF);
    assertThat(c.observe().anomaly().tighten()).isEqualTo(0.5);
    LimitsConfig.Policy p = c.limits().policies().get("p");
    assertThat(p.user().requests().burst()).isEqualTo(3);
    assertThat(p.user().outputTokens().limit()).isEqualTo(1000);
    assertThat(p.modelEntry("gpt-4o-mini")).isZero();
    assertThat(p.modelEntry("claude")).isEqualTo(-1);
    assertThat(p.countsTokens()).isTrue();
  }

  @Test
  void refusesContradictoryGuardTlsAndLimitOptions() {
    assertThat(problems(VALID + "guards: {cors: {origins: [\"*\"], credentials: true}}"))
        .anyMatch(m -> m.startsWith("guards.cors.credentials: an origin of * cannot go with credentials"));
    assertThat(problems(VALID + "guards: {cors: {origins: [\"https://a.example.com/path\"]}}"))
        .anyMatch(m -> m.contains("is not an origin"));
    assertThat(problems(VALID + "guards: {injection: {action: maybe}}")).anyMatch(m -> m.startsWith("guards.injection.action:"));
    assertThat(problems(VALID + "server: {tls: {enabled: true}}")).anyMatch(m -> m.contains("cert + key (PEM) or pkcs12"));
    assertThat(problems(VALID + "observe: {access_log: {prompts: hash}}")).anyMatch(m -> m.startsWith("observe.access_log.hash_key:"));
    assertThat(problems(VALID + "limits: {policies: {p: {requests: {limit: 5, window: 1m, burst: 9}}}}"))
        .anyMatch(m -> m.startsWith("limits.policies.p.requests.burst: must not exceed limit"));
    assertThat(problems(VALID + "limits: {policies: {p: {tokens: {limit: 5, window: 1m, burst: 2}}}}"))
        .anyMatch(m -> m.contains("burst"));
  }
}
