package io.portcullis.scrub;

import io.portcullis.format.TextFilter;

/**
 * Puts a request's values back in place of their placeholders, in one channel of an answer's text
 * as it streams. Text flows on at once except from a {@code '<'} that may still become a known
 * placeholder: that is held until it is decided, never more than the longest placeholder handed
 * out. A placeholder that is not in the mapping (one the model made up, or a malformed one) passes
 * as it is.
 *
 * <p>Whatever the split, the concatenation of what it returns equals the whole text restored at
 * once: each {@code '<'} is decided from the text after it only, left to right, the same way.
 */
final class Restorer implements TextFilter {

  private final Pseudonyms pseudonyms;
  private final boolean json;
  private final StringBuilder held = new StringBuilder();

  Restorer(Pseudonyms pseudonyms, boolean json) {
    this.pseudonyms = pseudonyms;
    this.json = json;
  }

  @Override
  public String feed(String text) {
    if (held.length() == 0 && text.indexOf('<') < 0) {
      return text; // the common case: nothing that could be a placeholder
    }
    held.append(text);
    return drain(false);
  }

  @Override
  public String finish() {
    return drain(true);
  }

  private String drain(boolean complete) {
    int n = held.length();
    int max = pseudonyms.longest();
    StringBuilder out = new StringBuilder(n + 32);
    int i = 0;
    while (i < n) {
      int k = held.indexOf("<", i);
      if (k < 0) {
        out.append(held, i, n);
        i = n;
        break;
      }
      out.append(held, i, k);
      int j = k + 1;
      while (j < n && j - k < max && Pseudonyms.placeholderChar(held.charAt(j))) {
        j++;
      }
      if (j == n && !complete && j - k < max) {
        i = k; // may still become a placeholder: hold it
        break;
      }
      String value = j < n && held.charAt(j) == '>' ? pseudonyms.value(held.subSequence(k, j + 1)) : null;
      if (value != null) {
        appendValue(out, value);
        i = j + 1;
      } else {
        out.append('<');
        i = k + 1;
      }
    }
    held.delete(0, i);
    return out.toString();
  }

  /** The value as it must appear: as it is in text, escaped inside a JSON string in JSON source. */
  private void appendValue(StringBuilder out, String value) {
    if (!json) {
      out.append(value);
      return;
    }
    for (int k = 0; k < value.length(); k++) {
      char c = value.charAt(k);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
