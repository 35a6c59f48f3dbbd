package io.portcullis.mock;

import java.util.ArrayList;
import java.util.List;

/**
 * The mock's completion text, as a list of tokens. A last user message starting with
 * {@code /echo } is answered with the rest of it, cut into short irregular pieces the way a real
 * tokenizer cuts text, so tests can put exact strings (and secrets) into a stream.
 */
final class MockText {

  private static final String[] WORDS = (
      "the gateway streams tokens from the model to the client while every policy holds across "
          + "instances and nothing secret ever reaches a log line or a metric label").split(" ");

  private MockText() {}

  static List<String> tokens(String lastUserMessage, MockBehaviour behaviour) {
    if (lastUserMessage != null && lastUserMessage.startsWith("/echo ")) {
      return pieces(lastUserMessage.substring(6));
    }
    List<String> out = new ArrayList<>(behaviour.tokens());
    for (int i = 0; i < behaviour.tokens(); i++) {
      if (behaviour.tokenSize() > 0) {
        out.add(String.valueOf((char) ('a' + i % 26)).repeat(behaviour.tokenSize()));
      } else {
        out.add((i == 0 ? "" : " ") + WORDS[i % WORDS.length]);
      }
    }
    return out;
  }

  /** Cuts text into pieces of 1 to 4 characters, never inside a surrogate pair. */
  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int step = 0;
    while (i < text.length()) {
      int len = 1 + (step++ * 7 + 3) % 4;
      int end = Math.min(text.length(), i + len);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end++;
      }
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  static int countWords(String text) {
    int n = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        n++;
      }
      inWord = !space;
    }
    return n;
  }
}
