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
    TextFilter open();
  }
}
