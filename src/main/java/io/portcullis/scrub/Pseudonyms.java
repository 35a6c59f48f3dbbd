package io.portcullis.scrub;

import io.portcullis.format.TextFilter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One request's pseudonyms: each value a {@code pseudonymize} rule finds in the request becomes a
 * placeholder such as {@code <EMAIL_1>} (the same value always the same placeholder, different
 * values different numbers), and the answer gets the values back in place of the placeholders.
 *
 * <p>The mapping lives in this object only, which lives as long as the exchange: it is never
 * logged, never stored, never sent anywhere. A placeholder the request already contained is never
 * handed out (its number is skipped), so text the caller wrote cannot be turned into a value.
 */
public final class Pseudonyms {

  private final Set<String> taken;
  /** rule + NUL + value, to placeholder. */
  private final Map<String, String> byValue = new HashMap<>();
  private final Map<String, String> byPlaceholder = new HashMap<>();
  private final Map<String, Integer> next = new HashMap<>();
  private final Map<String, Integer> counts = new TreeMap<>();
  private int longest;

  /** @param taken placeholder-shaped text already in the request (see {@link #shapedIn}) */
  Pseudonyms(Set<String> taken) {
    this.taken = taken;
  }

  /** The placeholder of a value found by a rule, made on first sight. */
  String placeholder(String rule, String value) {
    String key = rule + '\0' + value;
    String known = byValue.get(key);
    if (known != null) {
      return known;
    }
    String name = rule.toUpperCase(Locale.ROOT);
    String placeholder;
    int n = next.getOrDefault(rule, 1);
    do {
      placeholder = "<" + name + "_" + n++ + ">";
    } while (taken.contains(placeholder) || byPlaceholder.containsKey(placeholder));
    next.put(rule, n);
    byValue.put(key, placeholder);
    byPlaceholder.put(placeholder, value);
    counts.merge(rule, 1, Integer::sum);
    longest = Math.max(longest, placeholder.length());
    return placeholder;
  }

  public boolean isEmpty() {
    return byPlaceholder.isEmpty();
  }

  /** Distinct values pseudonymized, by rule (what the access log shows: never values or placeholders). */
  public Map<String, Integer> counts() {
    return counts;
  }

  String value(CharSequence placeholder) {
    return byPlaceholder.get(placeholder.toString());
  }

  /** The longest placeholder handed out: the most a {@link Restorer} ever holds back. */
  int longest() {
    return longest;
  }

  /** A restorer for one channel of streamed text; {@code json}: the channel is JSON source text (tool-call arguments). */
  public TextFilter restorer(boolean json) {
    return new Restorer(this, json);
  }

  /** Block mode: the placeholders of a whole text replaced by their values. */
  public String restore(String text, boolean json) {
    if (text.indexOf('<') < 0) {
      return text;
    }
    Restorer r = new Restorer(this, json);
    return r.feed(text) + r.finish();
  }

  /** A placeholder's characters between the angle brackets. */
  static boolean placeholderChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  /** Adds to {@code out} every placeholder-shaped {@code <NAME_9>} in the text. */
  static void shapedIn(String text, Set<String> out) {
    for (int k = text.indexOf('<'); k >= 0; k = text.indexOf('<', k + 1)) {
      int j = k + 1;
      while (j < text.length() && j - k < 128 && placeholderChar(text.charAt(j))) {
        j++;
      }
      if (j < text.length() && text.charAt(j) == '>' && j > k + 1) {
        out.add(text.substring(k, j + 1));
      }
    }
  }
}
