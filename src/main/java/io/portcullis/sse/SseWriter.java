package io.portcullis.sse;

import io.vertx.core.buffer.Buffer;

/** Serialises events back to the wire, always with LF line ends. */
public final class SseWriter {

  private SseWriter() {}

  public static String toText(SseEvent event) {
    StringBuilder out = new StringBuilder(64);
    for (SseField f : event.fields()) {
      if (f.isComment()) {
        out.append(':').append(f.value());
      } else {
        out.append(f.name()).append(':');
        if (!f.value().isEmpty()) {
          // One space after the colon is stripped by readers, so adding it is always safe,
          // even when the value itself starts with a space.
          out.append(' ').append(f.value());
        }
      }
      out.append('\n');
    }
    return out.append('\n').toString();
  }

  /** Appends the event's bytes: its own wire bytes when it arrived and was not rewritten. */
  public static void appendTo(Buffer out, SseEvent event) {
    byte[] raw = event.wireBytes();
    if (raw != null) {
      out.appendBytes(raw);
    } else {
      out.appendString(toText(event));
    }
  }
}
