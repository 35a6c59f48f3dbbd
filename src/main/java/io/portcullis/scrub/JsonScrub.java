package io.portcullis.scrub;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Consumer;

/** Block-mode scrubbing of every string value in a JSON document (responses and request bodies). */
final class JsonScrub {

  private JsonScrub() {}

  /** Scrubs in place; returns whether anything was redacted. */
  static boolean scrub(Object json, Scrubber scrubber, Consumer<String> onRedaction) {
    boolean[] changed = {false};
    walk(json, scrubber, rule -> {
      changed[0] = true;
      onRedaction.accept(rule);
    });
    return changed[0];
  }

  private static void walk(Object node, Scrubber scrubber, Consumer<String> onRedaction) {
    if (node instanceof JsonObject obj) {
      for (Map.Entry<String, Object> e : obj) {
        if (e.getValue() instanceof String s) {
          String out = scrubber.scrub(s, onRedaction);
          if (!out.equals(s)) {
            e.setValue(out);
          }
        } else {
          walk(e.getValue(), scrubber, onRedaction);
        }
      }
    } else if (node instanceof JsonArray arr) {
      for (int i = 0; i < arr.size(); i++) {
        Object v = arr.getValue(i);
        if (v instanceof String s) {
          String out = scrubber.scrub(s, onRedaction);
          if (!out.equals(s)) {
            arr.set(i, out);
          }
        } else {
          walk(v, scrubber, onRedaction);
        }
      }
    }
  }
}
