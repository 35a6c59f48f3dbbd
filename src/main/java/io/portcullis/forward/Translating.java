package io.portcullis.forward;

import io.portcullis.format.EventTranslator;
import io.portcullis.format.Translation;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseBody;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;

/**
 * The link that says a provider's answer again in the client's format, right after the usage is
 * read in the provider's: installed when some target of the route is asked in another format, told
 * by each attempt which translation applies (none when that target speaks the client's format). An
 * event the translation does not know ends the stream (fail closed: its text would pass unchecked).
 */
final class Translating implements ResponseFilter {

  static final GatewayError UNKNOWN_EVENT = GatewayError.upstream("upstream_untranslatable",
      "the model provider sent an event the gateway cannot translate");

  private final Exchange ex;
  private Translation translation;
  private EventTranslator events;

  Translating(Exchange ex) {
    this.ex = ex;
  }

  /** The translation of the current attempt (null: none). */
  void use(Translation translation) {
    this.translation = translation;
    this.events = null;
  }

  @Override
  public void onEvent(SseEvent event, EventSink next) {
    if (translation == null) {
      next.emit(event);
      return;
    }
    if (events == null) {
      events = translation.stream(ex.body(), ex.isUsageReportUnasked());
    }
    if (!events.onEvent(event, next::emit)) {
      next.cut(UNKNOWN_EVENT);
    }
  }

  @Override
  public void onEnd(EventSink next) {
    if (events != null) {
      events.onEnd(next::emit);
    }
  }

  /** A whole answer, or a provider's error in the client's error shape (status kept). */
  @Override
  public void onBody(ResponseBody body) {
    if (translation == null) {
      return;
    }
    JsonObject json = body.json() instanceof JsonObject o ? o : null;
    if (body.status() / 100 == 2) {
      if (json == null) {
        throw new IllegalStateException("a successful answer that is not a JSON object cannot be translated");
      }
      body.replace(translation.response(json, ex.body()));
    } else {
      body.replace(translation.error(body.status(), json));
    }
  }

  @Override
  public boolean readsTree() {
    return translation != null;
  }
}
