package io.portcullis.forward;

import io.portcullis.config.ObserveConfig;
import io.portcullis.format.ReportedUsage;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.ResponseBody;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.ingress.Usage;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonObject;

/**
 * The first link of every response: reads the usage the provider reports, in the format it answers in (for settlement, the
 * token metrics and the access log) and counts the text events of a stream (what is charged when no
 * report comes). The usage report the gateway asked for and the client did not is dropped here.
 * Events are looked into only when their bytes may hold a report: most never are decoded here.
 */
final class UsageTap implements ResponseFilter {

  private final Usage usage;
  private final boolean dropUnasked;
  private final Exchange ex;

  UsageTap(Exchange ex) {
    this.ex = ex;
    this.usage = ex.usage();
    this.dropUnasked = ex.isUsageReportUnasked();
  }

  @Override
  public void onEvent(SseEvent event, EventSink next) {
    if (event.hasData() && !event.isDone()) {
      if (!ex.upstreamFormat().mayCarryUsage(event.wireBytes())) {
        usage.streamed();
      } else if (report(event)) {
        return; // the usage chunk the gateway asked for and the client did not
      }
    }
    next.emit(event);
  }

  /** Reads an event's usage; true when it is only the report the client did not ask for. */
  private boolean report(SseEvent event) {
    JsonObject json;
    try {
      json = new JsonObject(event.data());
    } catch (RuntimeException e) {
      return false; // not JSON: the later links decide what it does
    }
    read(json);
    return dropUnasked && ex.upstreamFormat().isUsageOnly(json);
  }

  /**
   * A whole answer's usage. Only the top-level usage member ({@code usage}, Gemini's {@code usageMetadata}) is read (the rest of the answer
   * is not built into a tree unless a later link or the access log needs it).
   */
  @Override
  public void onBody(ResponseBody body) {
    if (body.status() / 100 != 2) {
      return; // settled with the prompt as counted
    }
    ObserveConfig observe = ex.snapshot().config().observe();
    if (observe.accessLog().prompts() != ObserveConfig.Prompts.OFF || observe.tracing().captureContent()) {
      if (body.json() instanceof JsonObject answer) {
        read(answer);
        ex.completionText(ex.upstreamFormat().answerText(answer));
      }
      return;
    }
    String member = ex.upstreamFormat().usageMember();
    JsonObject usageMember = body.member(member);
    if (usageMember != null) {
      read(new JsonObject().put(member, usageMember));
    }
  }

  private void read(JsonObject json) {
    ReportedUsage reported = ex.upstreamFormat().usage(json);
    if (reported != null) {
      usage.reported(reported.input(), reported.output());
      usage.cached(reported.cachedInput(), reported.cachedInInput());
    }
  }
}
