package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/** Two translations through chat completions: the client's format to chat, chat to the provider's. */
record ChainedTranslation(Translation first, Translation second) implements Translation {

  @Override
  public WireFormat client() {
    return first.client();
  }

  @Override
  public UpstreamFormat provider() {
    return second.provider();
  }

  @Override
  public JsonObject request(JsonObject body) {
    return second.request(first.request(body));
  }

  @Override
  public JsonObject response(JsonObject answer, JsonObject request) {
    return first.response(second.response(answer, first.request(request)), request);
  }

  @Override
  public EventTranslator stream(JsonObject request, boolean usageUnasked) {
    EventTranslator outer = first.stream(request, usageUnasked);
    EventTranslator inner = second.stream(first.request(request), false);
    return new EventTranslator() {
      private boolean known = true;

      @Override
      public boolean onEvent(SseEvent event, Consumer<SseEvent> emit) {
        return inner.onEvent(event, chat -> known &= outer.onEvent(chat, emit)) && known;
      }

      @Override
      public void onEnd(Consumer<SseEvent> emit) {
        inner.onEnd(chat -> outer.onEvent(chat, emit));
        outer.onEnd(emit);
      }
    };
  }
}
