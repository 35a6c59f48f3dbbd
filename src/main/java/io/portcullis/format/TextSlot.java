package io.portcullis.format;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * An event's JSON with one string left open: what every text delta of a translated stream shares
 * (ids, model, indexes) is encoded once, and each delta is the prefix, its text as a JSON string,
 * and the suffix. Most events of a stream are text deltas; this keeps them from building a tree and
 * encoding it per event.
 */
record TextSlot(String prefix, String suffix) {

  private static final String MARK = "\u0001slot\u0001";
  private static final String MARK_JSON = Json.encode(MARK);

  /** {@code event} with {@link #mark()} as the one string to leave open. */
  static TextSlot of(JsonObject event) {
    String json = event.encode();
    int at = json.indexOf(MARK_JSON);
    if (at < 0 || json.indexOf(MARK_JSON, at + 1) >= 0) {
      throw new IllegalArgumentException("the event must hold the mark exactly once");
    }
    return new TextSlot(json.substring(0, at), json.substring(at + MARK_JSON.length()));
  }

  /** The value that marks the open string in the event given to {@link #of}. */
  static String mark() {
    return MARK;
  }

  /** The event with {@code text} in the open string. */
  String fill(String text) {
    return prefix + Json.encode(text) + suffix;
  }
}
