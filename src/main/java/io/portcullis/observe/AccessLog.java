package io.portcullis.observe;

import io.portcullis.ingress.Principal;
import io.portcullis.config.ObserveConfig;
import io.portcullis.ingress.Exchange;
import io.portcullis.scrub.Scrubber;
import io.portcullis.scrub.Scrubbers;
import io.portcullis.ingress.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per request on the logger {@code portcullis.access} (standard
 * output, behind an async appender and the log redaction), handed over in batches per event loop
 * at most 100 ms old. It says who (the principal's subject
 * and credential id — never the credential), what (route, model, provider, stream), how it went
 * (status, error code, durations: total, upstream, time to first token), what it cost (tokens)
 * and what the gateway decided (limit verdict and mode, redactions made). Prompt and completion
 * text only if configured: redacted and cut, or as keyed hashes.
 */
public final class AccessLog {

  static final Logger LOG = LoggerFactory.getLogger("portcullis.access");

  /** Lines are handed to the logger in batches of up to this many characters (or every flush). */
  static final int BATCH_CHARS = 32 * 1024;

  /**
   * This event loop's lines not yet handed to the logger. One logger event per batch instead of per
   * request: one queue hand-off, one wake-up of the writer thread and one write to standard output
   * per batch (the redaction costs the same per character either way).
   */
  private final ThreadLocal<StringBuilder> pending = ThreadLocal.withInitial(() -> new StringBuilder(BATCH_CHARS + 1024));

  /** Adds the line of an exchange that has ended (from its end handler, on its event loop). */
  public void write(Exchange ex, String route, int status, long durationNanos) {
    ObserveConfig.AccessLog config = ex.snapshot().config().observe().accessLog();
    if (!config.enabled() || !LOG.isInfoEnabled()) {
      return;
    }
    StringBuilder batch = pending.get();
    if (!batch.isEmpty()) {
      batch.append('\n');
    }
    batch.append(line(ex, route, status, durationNanos, config));
    if (batch.length() >= BATCH_CHARS) {
      flush();
    }
  }

  /** Hands this event loop's pending lines to the logger (every event loop calls it every 100 ms, and when it stops). */
  public void flush() {
    StringBuilder batch = pending.get();
    if (!batch.isEmpty()) {
      LOG.info(batch.toString());
      batch.setLength(0);
    }
  }

  static String line(Exchange ex, String route, int status, long durationNanos, ObserveConfig.AccessLog config) {
    // written by hand: a JSON generator per line cost more than the rest of the line
    StringBuilder out = new StringBuilder(400).append('{');
    field(out, "ts", Instant.now().toString());
    field(out, "request_id", ex.requestId());
    String traceId = Tracing.traceId(ex);
    if (traceId != null) {
      field(out, "trace_id", traceId); // the request's trace, when it is traced
    }
    field(out, "route", route);
    out.append(",\"status\":").append(status);
    Principal p = ex.principal();
    if (p != null) {
      field(out, "principal", p.subject());
      if (p.team() != null) {
        field(out, "team", p.team());
      }
      if (p.credentialId() != null) {
        field(out, "credential", p.credentialId());
      }
      field(out, "auth", p.method());
    }
    if (ex.model() != null) {
      field(out, "model", ex.model());
      out.append(",\"stream\":").append(ex.stream());
    }
    if (ex.provider() != null) {
      field(out, "provider", ex.provider());
      out.append(",\"attempts\":").append(ex.attempts());
    }
    if (ex.error() != null && status >= 400) {
      field(out, "error", ex.error().code());
    }
    millis(out, "duration_ms", durationNanos);
    if (ex.upstreamStartNanos() != 0) {
      millis(out, "upstream_ms", ex.startNanos() + durationNanos - ex.upstreamStartNanos());
    }
    long ttft = ex.timings().timeToFirstTokenNanos();
    if (ex.stream() && ttft > 0) {
      millis(out, "ttft_ms", ttft);
    }
    Usage usage = ex.usage();
    if (usage.input() >= 0) {
      out.append(",\"tokens_in\":").append(usage.input());
    }
    if (usage.output() >= 0) {
      out.append(",\"tokens_out\":").append(usage.output());
    }
    if (usage.cachedInput() > 0) {
      out.append(",\"tokens_cached\":").append(usage.cachedInput());
    }
    double cost = Spend.usd(ex);
    if (cost >= 0) {
      out.append(",\"cost_usd\":").append(Spend.format(cost));
    }
    if (ex.limitVerdict() != null) {
      field(out, "limit", ex.limitVerdict());
    }
    if (ex.completionFlag() != null) {
      field(out, "completion", ex.completionFlag());
    }
    if (ex.guardVerdict() != null) {
      field(out, "guard", ex.guardVerdict());
    }
    if (Scrubbers.of(ex).responses() != null) {
      out.append(",\"redactions\":").append(ex.redactions());
      if (ex.pseudonymized() != null) {
        out.append(",\"pseudonymized\":{");
        ex.pseudonymized().forEach((rule, n) -> out.append(out.charAt(out.length() - 1) == '{' ? "" : ",")
            .append('"').append(rule).append("\":").append(n));
        out.append('}');
      }
    }
    if (config.prompts() != ObserveConfig.Prompts.OFF && ex.body() != null && ex.endpoint() != null) {
      text(out, "prompt", ex.format().lastUserText(ex.body()), ex, config);
      text(out, "completion", ex.completionText(), ex, config);
    }
    return out.append('}').toString();
  }

  /** {@code ,"name":"value"} (the first field without its comma), the value escaped as JSON requires. */
  static void field(StringBuilder out, String name, String value) {
    if (out.length() > 1) {
      out.append(',');
    }
    out.append('"').append(name).append("\":\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Milliseconds with two decimals. */
  private static void millis(StringBuilder out, String name, long nanos) {
    long hundredths = Math.round(nanos / 10_000.0);
    out.append(",\"").append(name).append("\":").append(hundredths / 100).append('.');
    long frac = hundredths % 100;
    out.append(frac < 10 ? "0" : "").append(frac);
  }

  private static void text(StringBuilder out, String field, String text, Exchange ex, ObserveConfig.AccessLog config) {
    if (text == null) {
      return;
    }
    if (config.prompts() == ObserveConfig.Prompts.HASH) {
      field(out, field + "_hmac", hmac(config.hashKey(), text));
      return;
    }
    Scrubber scrubber = Scrubbers.of(ex).responses();
    String shown = scrubber != null ? scrubber.scrub(text) : text;
    field(out, field, shown.length() <= config.maxChars() ? shown : shown.substring(0, config.maxChars()) + "…");
  }

  /** HMAC-SHA256 of the text under the configured key, hex, 128 bits of it: equal texts match, none can be read. */
  static String hmac(String key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
