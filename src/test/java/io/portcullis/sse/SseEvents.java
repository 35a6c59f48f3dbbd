package io.portcullis.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** For tests: the events of a whole SSE body, as the gateway's own parser reads them. */
public final class SseEvents {

  private SseEvents() {}

  public static List<SseEvent> parse(String body) {
    List<SseEvent> events = new ArrayList<>();
    SseEventParser parser = new SseEventParser(1 << 24, events::add);
    parser.feed(body.getBytes(StandardCharsets.UTF_8));
    parser.end();
    return events;
  }
}
