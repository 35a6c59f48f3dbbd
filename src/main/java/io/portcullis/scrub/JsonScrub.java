package io.portcullis.scrub;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Block-mode rewriting of every string value in a JSON document (responses and request bodies):
 * scrubbing, and putting a request's values back in place of their placeholders.
 */
final class JsonScrub {

  private JsonScrub() {}

  /** Scrubs in place; returns whether anything was redacted. */
  static boolean scrub(Object json, Scrubber scrubber, Consumer<String> onRedaction) {
    return scrub(json, scrubber, onRedaction, null);
  }

  /** Scrubs in place, each finding replaced by what {@code replacer} says (its mask when null). */
  static boolean scrub(Object json, Scrubber scrubber, Consumer<String> onRedaction, Redaction.Replacer replacer) {
    boolean[] changed = {false};
    Consumer<String> counted = rule -> {
      changed[0] = true;
      onRedaction.accept(rule);
    };
    walk(json, null, (key, s) -> scrubber.scrub(s, counted, replacer));
    return changed[0];
  }

  /**
   * Restores placeholders in place; a tool call's {@code arguments} (JSON source in a string) gets
   * its values escaped as JSON strings require. Returns whether anything changed.
   */
  static boolean restore(Object json, Pseudonyms pseudonyms) {
    boolean[] changed = {false};
    walk(json, null, (key, s) -> {
      String out = pseudonyms.restore(s, "arguments".equals(key));
      changed[0] |= !out.equals(s);
      return out;
    });
    return changed[0];
  }

  /** Rewrites each string value with {@code rewrite(its key or null in an array, value)}. */
  private static void walk(Object node, String key, BiFunction<String, String, String> rewrite) {
    if (node instanceof JsonObject obj) {
      for (Map.Entry<String, Object> e : obj) {
        if (e.getValue() instanceof String s) {
          String out = rewrite.apply(e.getKey(), s);
          if (!out.equals(s)) {
            e.setValue(out);
          }
        } else {
          walk(e.getValue(), e.getKey(), rewrite);
        }
      }
    } else if (node instanceof JsonArray arr) {
      for (int i = 0; i < arr.size(); i++) {
        Object v = arr.getValue(i);
        if (v instanceof String s) {
          String out = rewrite.apply(key, s);
          if (!out.equals(s)) {
            arr.set(i, out);
          }
        } else {
          walk(v, key, rewrite);
        }
      }
    }
  }
}
