package io.portcullis.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portcullis.auth.Principal;
import io.portcullis.config.ObserveConfig;
import io.portcullis.ingress.Exchange;
import io.portcullis.limit.Usage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per request on the logger {@code portcullis.access} (standard
 * output, behind an async appender and the log redaction). It says who (the principal's subject
 * and credential id — never the credential), what (route, model, provider, stream), how it went
 * (status, error code, durations: total, upstream, time to first token), what it cost (tokens)
 * and what the gateway decided (limit verdict and mode, redactions made). Prompt and completion
 * text only if configured: redacted and cut, or as keyed hashes.
 */
public final class AccessLog {

  static final Logger LOG = LoggerFactory.getLogger("portcullis.access");
  private static final JsonFactory JSON = new JsonFactory();

  /** Writes the line of an exchange that has ended (from its end handler). */
  public void write(Exchange ex, String route, int status, long durationNanos) {
    ObserveConfig.AccessLog config = ex.snapshot().config().observe().accessLog();
    if (!config.enabled() || !LOG.isInfoEnabled()) {
      return;
    }
    LOG.info(line(ex, route, status, durationNanos, config));
  }

  static String line(Exchange ex, String route, int status, long durationNanos, ObserveConfig.AccessLog config) {
    StringWriter out = new StringWriter(384);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", Instant.now().toString());
      g.writeStringField("request_id", ex.requestId());
      g.writeStringField("route", route);
      g.writeNumberField("status", status);
      Principal p = ex.principal();
      if (p != null) {
        g.writeStringField("principal", p.subject());
        if (p.team() != null) {
          g.writeStringField("team", p.team());
        }
        if (p.credentialId() != null) {
          g.writeStringField("credential", p.credentialId());
        }
        g.writeStringField("auth", p.method());
      }
      if (ex.model() != null) {
        g.writeStringField("model", ex.model());
        g.writeBooleanField("stream", ex.stream());
      }
      if (ex.target() != null) {
        g.writeStringField("provider", ex.target().provider().config().name());
        g.writeNumberField("attempts", ex.attempts());
      }
      if (ex.error() != null && status >= 400) {
        g.writeStringField("error", ex.error().code());
      }
      g.writeNumberField("duration_ms", millis(durationNanos));
      if (ex.upstreamStartNanos() != 0) {
        g.writeNumberField("upstream_ms", millis(ex.startNanos() + durationNanos - ex.upstreamStartNanos()));
      }
      long ttft = ex.timings().timeToFirstTokenNanos();
      if (ex.stream() && ttft > 0) {
        g.writeNumberField("ttft_ms", millis(ttft));
      }
      Usage usage = ex.usage();
      if (usage.input() >= 0) {
        g.writeNumberField("tokens_in", usage.input());
      }
      if (usage.output() >= 0) {
        g.writeNumberField("tokens_out", usage.output());
      }
      if (ex.limitVerdict() != null) {
        g.writeStringField("limit", ex.limitVerdict());
      }
      if (ex.snapshot().scrubber() != null) {
        g.writeNumberField("redactions", ex.redactions());
      }
      if (!config.prompts().equals("off") && ex.body() != null) {
        text(g, "prompt", Prompts.lastUserText(ex.body()), ex, config);
        text(g, "completion", ex.completionText(), ex, config);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("a StringWriter does not fail", e);
    }
    return out.toString();
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  private static void text(JsonGenerator g, String field, String text, Exchange ex, ObserveConfig.AccessLog config)
      throws IOException {
    if (text == null) {
      return;
    }
    if (config.prompts().equals("hash")) {
      g.writeStringField(field + "_hmac", hmac(config.hashKey(), text));
      return;
    }
    String shown = ex.snapshot().scrubber() != null ? ex.snapshot().scrubber().scrub(text) : text;
    g.writeStringField(field, shown.length() <= config.maxChars() ? shown : shown.substring(0, config.maxChars()) + "…");
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
