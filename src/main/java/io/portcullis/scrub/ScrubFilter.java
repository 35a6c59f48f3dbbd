package io.portcullis.scrub;

import io.portcullis.format.StreamText;
import io.portcullis.format.TextFilter;
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
 *
 * <p>When the request was pseudonymized, each channel's scrubbed text then goes through a
 * {@link Restorer}: the model's own PII is redacted first, and only then do the caller's values
 * come back in place of their placeholders (so a value the caller gave is never redacted from
 * its own answer, and nothing the model invents is restored).
 */
public final class ScrubFilter implements ResponseFilter {

  static final GatewayError UNKNOWN_EVENT = GatewayError.upstream("unknown_stream_event",
      "the model provider sent an event the gateway cannot check");

  private final Scrubber scrubber;
  private final Consumer<String> onRedaction;
  private final StreamText text;
  private final Pseudonyms pseudonyms;

  public ScrubFilter(WireFormat format, Scrubber scrubber, Consumer<String> onRedaction) {
    this(format, scrubber, onRedaction, null);
  }

  /** @param pseudonyms the request's pseudonyms, to restore after scrubbing; null when there are none */
  ScrubFilter(WireFormat format, Scrubber scrubber, Consumer<String> onRedaction, Pseudonyms pseudonyms) {
    this.scrubber = scrubber;
    this.onRedaction = onRedaction;
    this.pseudonyms = pseudonyms;
    this.text = format.streamText(pseudonyms == null ? json -> scrubber.stream(onRedaction)
        : json -> new Restoring(scrubber.stream(onRedaction), pseudonyms.restorer(json)));
  }

  /** Scrubbing, then restoring, of one channel. */
  private record Restoring(TextFilter scrub, TextFilter restore) implements TextFilter {
    @Override
    public String feed(String piece) {
      String scrubbed = scrub.feed(piece);
      return scrubbed.isEmpty() ? "" : restore.feed(scrubbed);
    }

    @Override
    public String finish() {
      return restore.feed(scrub.finish()) + restore.finish();
    }
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
      boolean changed = JsonScrub.scrub(json, scrubber, onRedaction);
      if (pseudonyms != null) {
        changed |= JsonScrub.restore(json, pseudonyms);
      }
      if (changed) {
        body.changed();
      }
      return;
    }
    // not JSON: scrubbed as text, it never passes unscanned
    String scrubbed = scrubber.scrub(body.raw().toString(), onRedaction);
    body.replace(Buffer.buffer(pseudonyms == null ? scrubbed : pseudonyms.restore(scrubbed, false)));
  }
}
