package io.portcullis.observe;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ScrubConfig;
import io.portcullis.config.Secret;
import io.portcullis.scrub.Scrubber;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The one redaction every log line passes before it is written ({@link RedactingEncoder} calls it
 * for every appender, on the appender's thread, never an event loop): exception messages and stack
 * traces, upstream error bodies and the access log included.
 *
 * <p>In order: the values of credential headers ({@code Authorization}, {@code x-api-key}...) in
 * any of the ways a log line can quote them; the secrets the config holds (provider keys, the JWT
 * secret, the access log's hash key) wherever they appear, whatever their shape; the
 * secret half of the gateway's own API keys ({@code pc-<id>-<secret>}, the id stays: it names the
 * key); then the scrubber's built-in rules in block mode (provider key shapes, JWTs, bearer
 * tokens, private keys, PII; not IP addresses, see below).
 */
public final class LogRedaction {

  private LogRedaction() {}

  private static final String[] CREDENTIAL_HEADERS = {"proxy-authorization", "authorization", "x-api-key", "api-key",
      "x-goog-api-key", "cookie"};

  /**
   * Every built-in rule but the IP addresses: the logs name listening addresses and upstream hosts,
   * which operators need; client addresses are not logged (with auth off, a caller flagged by the
   * anomaly detector is named by its address, on purpose).
   */
  private static final Scrubber SCRUBBER = Scrubber.of(new ScrubConfig(true, 64 * 1024,
      Set.of("ipv4", "ipv6"), ScrubConfig.RequestAction.REDACT, Scrubber.DEFAULT_MASK, List.of(), Map.of()));
  /** The secrets of every running gateway's config, longest first (a key that contains another is masked whole). */
  private static volatile List<String> secrets = List.of();
  /**
   * By gateway: one per process in production, several in a test JVM, each masked in every log line.
   * Never dropped, not even when a gateway stops: lines still queued in the async appenders may quote them.
   */
  private static final Map<Object, List<String>> BY_OWNER = new IdentityHashMap<>();

  /**
   * Takes the secrets of a gateway's new config (at start and on every reload: rotated keys are
   * masked from then on; the old ones stay masked too, a log line may still quote them).
   */
  /**
   * Sends what libraries log with java.util.logging (the OpenTelemetry SDK's exporter) through SLF4J,
   * so it meets the same redaction as every other line instead of going straight to stderr.
   */
  public static synchronized void bridgeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  public static synchronized void secretsOf(Object owner, GatewayConfig config) {
    List<String> out = new ArrayList<>(BY_OWNER.getOrDefault(owner, List.of()));
    config.providers().forEach(p -> p.apiKeys().forEach(k -> add(out, k)));
    if (config.auth().jwt() != null) {
      add(out, config.auth().jwt().secret());
    }
    // a tracing vendor's API key goes in an export header
    config.observe().tracing().headers().values().stream().filter(v -> v.length() >= 8).forEach(out::add);
    String hashKey = config.observe().accessLog().hashKey();
    if (hashKey != null && hashKey.length() >= 4) {
      out.add(hashKey);
    }
    BY_OWNER.put(owner, List.copyOf(new LinkedHashSet<>(out)));
    publish();
  }

  private static void publish() {
    List<String> all = new ArrayList<>(new LinkedHashSet<>(BY_OWNER.values().stream().flatMap(List::stream).toList()));
    all.sort(Comparator.comparingInt(String::length).reversed());
    secrets = List.copyOf(all);
  }

  private static void add(List<String> out, Secret secret) {
    // a secret of 3 characters or fewer would mask every occurrence of ordinary words; none is that short in practice
    if (secret != null && secret.value() != null && secret.value().length() >= 4) {
      out.add(secret.value());
    }
  }

  /** The line as it may be written. */
  public static String redact(String line) {
    String out = credentialHeaders(line);
    for (String secret : secrets) {
      if (out.contains(secret)) {
        out = out.replace(secret, "[REDACTED:config_secret]");
      }
    }
    out = gatewayKeys(out);
    return SCRUBBER.scrub(out);
  }

  /**
   * Masks the value after a credential header's name: {@code Authorization: Bearer x},
   * {@code authorization=x}, {@code "authorization":"x"}, {@code authorization=[x]} (a header map).
   */
  static String credentialHeaders(String line) {
    String lower = line.toLowerCase(Locale.ROOT);
    List<int[]> values = new ArrayList<>(); // {value start, value end, header index}
    for (int h = 0; h < CREDENTIAL_HEADERS.length; h++) {
      String header = CREDENTIAL_HEADERS[h];
      int from = 0;
      int at;
      while ((at = lower.indexOf(header, from)) >= 0) {
        from = at + header.length();
        if (at > 0 && (Character.isLetterOrDigit(lower.charAt(at - 1)) || lower.charAt(at - 1) == '-')) {
          continue; // part of a longer name
        }
        int i = from;
        while (i < line.length() && (line.charAt(i) == '"' || line.charAt(i) == '\'' || line.charAt(i) == ' ')) {
          i++;
        }
        if (i >= line.length() || (line.charAt(i) != ':' && line.charAt(i) != '=')) {
          continue;
        }
        i++;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '"' || line.charAt(i) == '\'' || line.charAt(i) == '[')) {
          i++;
        }
        int end = i;
        while (end < line.length() && !valueEnds(line, end)) {
          end++;
        }
        if (end > i) {
          values.add(new int[] {i, end, h});
        }
      }
    }
    if (values.isEmpty()) {
      return line;
    }
    values.sort(Comparator.comparingInt(v -> v[0]));
    StringBuilder out = new StringBuilder(line.length());
    int copied = 0;
    for (int[] v : values) {
      if (v[0] < copied) {
        continue; // inside a value already masked
      }
      out.append(line, copied, v[0]).append("[REDACTED:").append(CREDENTIAL_HEADERS[v[2]]).append(']');
      copied = v[1];
    }
    return out.append(line, copied, line.length()).toString();
  }

  /** A header value runs to a quote, a bracket, a comma or the end of the line (a Bearer value's space is inside it). */
  private static boolean valueEnds(String line, int i) {
    char c = line.charAt(i);
    return c == '"' || c == '\'' || c == ']' || c == ',' || c == '\n' || c == '\r' || c == '}' || c == ';';
  }

  /** {@code pc-<12 id>-<40 secret>}: the secret half is masked, the id kept. */
  static String gatewayKeys(String line) {
    int at = line.indexOf("pc-");
    if (at < 0) {
      return line;
    }
    StringBuilder out = new StringBuilder(line.length());
    int copied = 0;
    while (at >= 0) {
      int secretStart = at + 3 + 12 + 1;
      if (secretStart <= line.length() && alnum(line, at + 3, 12) && line.charAt(at + 15) == '-') {
        int end = secretStart;
        while (end < line.length() && Character.isLetterOrDigit(line.charAt(end))) {
          end++;
        }
        if (end > secretStart) {
          out.append(line, copied, secretStart).append("[REDACTED:portcullis_key]");
          copied = end;
        }
      }
      at = line.indexOf("pc-", at + 3);
    }
    return out.append(line, copied, line.length()).toString();
  }

  private static boolean alnum(String s, int from, int n) {
    if (from + n > s.length()) {
      return false;
    }
    for (int i = from; i < from + n; i++) {
      if (!Character.isLetterOrDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
