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

  public static Buffer toBuffer(SseEvent event) {
    return Buffer.buffer(toText(event));
  }
}
