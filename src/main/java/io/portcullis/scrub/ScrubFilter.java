package io.portcullis.scrub;

import io.portcullis.format.StreamText;
import io.portcullis.format.WireFormat;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseBody;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * The redaction link of one response: a stream's text goes through one {@link StreamScrubber} per
 * channel of the format's grammar; a whole body is scrubbed in block mode (every string of its
 * JSON, or the whole text when it is not JSON). An event the format does not know ends the stream:
 * its text could not be checked, so it is never passed on.
 */
public final class ScrubFilter implements ResponseFilter {

  static final GatewayError UNKNOWN_EVENT = GatewayError.upstream("unknown_stream_event",
      "the model provider sent an event the gateway cannot check");

  private final Scrubber scrubber;
  private final Consumer<String> onRedaction;
  private final StreamText text;

  public ScrubFilter(WireFormat format, Scrubber scrubber, Consumer<String> onRedaction) {
    this.scrubber = scrubber;
    this.onRedaction = onRedaction;
    this.text = format.streamText(() -> scrubber.stream(onRedaction));
  }

  @Override
  public void onEvent(SseEvent event, EventSink next) {
    if (!text.onEvent(event, next::emit)) {
      next.cut(UNKNOWN_EVENT);
    }
  }

  @Override
  public void onEnd(EventSink next) {
    text.onEnd(next::emit);
  }

  @Override
  public boolean readsTree() {
    return true;
  }

  @Override
  public void onBody(ResponseBody body) {
    Object json = body.json();
    if (json != null) {
      if (JsonScrub.scrub(json, scrubber, onRedaction)) {
        body.changed();
      }
      return;
    }
    // not JSON: scrubbed as text, it never passes unscanned
    body.replace(Buffer.buffer(scrubber.scrub(body.raw().toString(), onRedaction)));
  }
}
