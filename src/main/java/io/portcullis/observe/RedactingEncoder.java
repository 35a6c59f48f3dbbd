package io.portcullis.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Wraps the encoder of an appender (pattern or JSON) so that what it writes passes
 * {@link LogRedaction} first: the whole formatted event, message, arguments, exception and stack
 * trace included. Configured in {@code logback.xml} around every appender's encoder; appenders run
 * behind an {@code AsyncAppender}, so this work is off the event loops.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {

  private Encoder<ILoggingEvent> encoder;

  /** Set by logback from the nested {@code <encoder>} element. */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("RedactingEncoder needs a nested <encoder>");
      return;
    }
    if (encoder.getContext() == null) {
      encoder.setContext(getContext());
    }
    encoder.start();
    super.start();
  }

  @Override
  public void stop() {
    if (encoder != null) {
      encoder.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return encoder.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] raw = encoder.encode(event);
    if (raw == null || raw.length == 0) {
      return raw;
    }
    String line = new String(raw, StandardCharsets.UTF_8);
    String redacted = LogRedaction.redact(line);
    return redacted == line ? raw : redacted.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return encoder.footerBytes();
  }
}
