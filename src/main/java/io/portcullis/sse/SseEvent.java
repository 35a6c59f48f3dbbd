package io.portcullis.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One SSE event block: every field in order, including comments and fields this gateway does not
 * know, so that writing it again loses nothing.
 *
 * <p>An event read off the wire keeps its exact bytes and parses them into fields only when asked.
 * An event that passes a hook unchanged is therefore written on byte for byte, with no decoding and
 * no re-encoding; one that is rewritten ({@link #withData}) is serialised from its fields.
 */
public final class SseEvent {

  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  /** The wire bytes including the blank line that ended the block; null for a built event. */
  private final byte[] raw;
  private List<SseField> fields;

  public SseEvent(List<SseField> fields) {
    this.raw = null;
    this.fields = List.copyOf(fields);
  }

  private SseEvent(byte[] raw) {
    this.raw = raw;
  }

  /** An event as read: its bytes, ending with the blank line's terminator. */
  static SseEvent ofWire(byte[] raw) {
    return new SseEvent(raw);
  }

  public static SseEvent ofData(String data) {
    return new SseEvent(dataLines(data));
  }

  /** The exact bytes this event arrived as, or null when it was built or rewritten. */
  public byte[] wireBytes() {
    return raw;
  }

  public List<SseField> fields() {
    if (fields == null) {
      fields = parseFields(raw);
    }
    return fields;
  }

  /** The event's data: all data lines joined with LF, or null when the event has no data field. */
  public String data() {
    StringBuilder out = null;
    for (SseField f : fields()) {
      if (f.name().equals("data")) {
        if (out == null) {
          out = new StringBuilder(f.value());
        } else {
          out.append('\n').append(f.value());
        }
      }
    }
    return out == null ? null : out.toString();
  }

  /** The value of the last {@code event:} field, or null. */
  public String type() {
    return last("event");
  }

  public String id() {
    return last("id");
  }

  /** Whether the event has a data field; answered from the bytes without parsing when it can be. */
  public boolean hasData() {
    if (raw == null) {
      return data() != null;
    }
    int i = 0;
    while (i < raw.length) {
      if (startsWith(raw, i, "data") && (i + 4 == raw.length || raw[i + 4] == ':' || raw[i + 4] == '\n' || raw[i + 4] == '\r')) {
        return true;
      }
      while (i < raw.length && raw[i] != '\n' && raw[i] != '\r') {
        i++;
      }
      i++;
    }
    return false;
  }

  /** Whether this is OpenAI's end-of-stream marker {@code data: [DONE]}. */
  public boolean isDone() {
    if (raw == null) {
      return "[DONE]".equals(data());
    }
    int end = raw.length;
    while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
      end--;
    }
    int start = startsWith(raw, 0, "data: ") ? 6 : startsWith(raw, 0, "data:") ? 5 : -1;
    return start > 0 && end - start == DONE.length && Arrays.equals(raw, start, end, DONE, 0, DONE.length);
  }

  /**
   * The same event with its data replaced: the new data lines stand where the first data line
   * stood; every other field keeps its place.
   */
  public SseEvent withData(String data) {
    List<SseField> out = new ArrayList<>(fields().size() + 2);
    boolean placed = false;
    for (SseField f : fields()) {
      if (f.name().equals("data")) {
        if (!placed) {
          out.addAll(dataLines(data));
          placed = true;
        }
      } else {
        out.add(f);
      }
    }
    if (!placed) {
      out.addAll(dataLines(data));
    }
    return new SseEvent(out);
  }

  private String last(String name) {
    String value = null;
    for (SseField f : fields()) {
      if (f.name().equals(name)) {
        value = f.value();
      }
    }
    return value;
  }

  private static boolean startsWith(byte[] bytes, int at, String prefix) {
    if (at + prefix.length() > bytes.length) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (bytes[at + k] != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Parses the lines of one event block (WHATWG field rules); stops at the first blank line. */
  static List<SseField> parseFields(byte[] raw) {
    List<SseField> out = new ArrayList<>(4);
    int i = 0;
    while (i < raw.length) {
      int end = i;
      while (end < raw.length && raw[end] != '\n' && raw[end] != '\r') {
        end++;
      }
      if (end == i) {
        break; // the blank line that ends the block
      }
      out.add(field(new String(raw, i, end - i, StandardCharsets.UTF_8)));
      i = end + (end + 1 < raw.length && raw[end] == '\r' && raw[end + 1] == '\n' ? 2 : 1);
    }
    return List.copyOf(out);
  }

  private static SseField field(String line) {
    if (line.charAt(0) == ':') {
      return SseField.comment(line.substring(1));
    }
    int colon = line.indexOf(':');
    if (colon < 0) {
      return new SseField(line, "");
    }
    int valueStart = colon + 1;
    if (valueStart < line.length() && line.charAt(valueStart) == ' ') {
      valueStart++;
    }
    return new SseField(line.substring(0, colon), line.substring(valueStart));
  }

  private static List<SseField> dataLines(String data) {
    List<SseField> lines = new ArrayList<>(1);
    int start = 0;
    for (int i = 0; i < data.length(); i++) {
      char c = data.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(SseField.data(data.substring(start, i)));
        if (c == '\r' && i + 1 < data.length() && data.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    lines.add(SseField.data(data.substring(start)));
    return lines;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SseEvent other && other.fields().equals(fields());
  }

  @Override
  public int hashCode() {
    return fields().hashCode();
  }

  @Override
  public String toString() {
    return "SseEvent" + fields();
  }
}
