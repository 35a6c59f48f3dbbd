package io.portcullis.sse;

import java.util.ArrayList;
import java.util.List;

/**
 * One SSE event block as it came off the wire: every field in order, including comments and fields
 * this gateway does not know, so that re-serialising it loses nothing.
 */
public final class SseEvent {

  private final List<SseField> fields;

  public SseEvent(List<SseField> fields) {
    this.fields = List.copyOf(fields);
  }

  public static SseEvent ofData(String data) {
    return new SseEvent(dataLines(data));
  }

  public static SseEvent ofComment(String text) {
    return new SseEvent(List.of(SseField.comment(text)));
  }

  public List<SseField> fields() {
    return fields;
  }

  /** The event's data: all data lines joined with LF, or null when the event has no data field. */
  public String data() {
    StringBuilder out = null;
    for (SseField f : fields) {
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

  public boolean isCommentOnly() {
    for (SseField f : fields) {
      if (!f.isComment()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The same event with its data replaced: the new data lines stand where the first data line
   * stood; every other field keeps its place.
   */
  public SseEvent withData(String data) {
    List<SseField> out = new ArrayList<>(fields.size() + 2);
    boolean placed = false;
    for (SseField f : fields) {
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
    for (SseField f : fields) {
      if (f.name().equals(name)) {
        value = f.value();
      }
    }
    return value;
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
    return o instanceof SseEvent other && other.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return "SseEvent" + fields;
  }
}
