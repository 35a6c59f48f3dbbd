package io.portcullis.format;

/**
 * Rewrites one channel of streamed text (a choice's content, a tool call's arguments, a content
 * block) as it arrives: each piece fed returns the text that may go out now (it may hold some
 * back), and {@link #finish} releases the rest when the channel ends.
 */
public interface TextFilter {

  String feed(String text);

  String finish();

  /** Makes one filter per channel of a stream. */
  interface Factory {
    /**
     * @param json the channel's text is JSON source (a tool call's arguments), not prose: a filter
     *     that puts text in must escape it as a JSON string requires
     */
    TextFilter open(boolean json);
  }
}
