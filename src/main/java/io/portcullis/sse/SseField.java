package io.portcullis.sse;

/**
 * One line of an SSE event block. A comment line (starting with ':') has the name {@link #COMMENT}
 * and its text after the colon as value, kept verbatim.
 */
public record SseField(String name, String value) {

  public static final String COMMENT = "";

  public static SseField comment(String text) {
    return new SseField(COMMENT, text);
  }

  public static SseField data(String value) {
    return new SseField("data", value);
  }

  public boolean isComment() {
    return name.isEmpty();
  }
}
