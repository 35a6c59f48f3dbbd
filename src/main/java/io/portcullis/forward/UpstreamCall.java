package io.portcullis.forward;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.Timeouts;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseBody;
import io.portcullis.ingress.ResponseChain;
import io.portcullis.ingress.UpstreamTrace;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request's trip upstream: try each target in order until one answers, then relay its
 * answer. Failover happens only while nothing has reached the client (connect error, timeout before
 * the first byte, 5xx, 429, or an upstream refusing the gateway's key). After that, a failure ends
 * the stream with an error event.
 *
 * <p>Deadlines (first byte, idle, total, heartbeat) are checked by the event loop's
 * {@link DeadlineSweeper}, so no timer is set or cancelled per request or per chunk.
 *
 * <p>Everything here runs on the request's event loop; nothing blocks.
 */
final class UpstreamCall {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCall.class);

  private enum Phase { WAITING, RELAYING, DONE }

  private static final Buffer HEARTBEAT = Buffer.buffer(": keep-alive\n\n");

  private final HttpClient client;
  private final DeadlineSweeper sweeper;
  private final RoutingContext ctx;
  private final Exchange ex;
  private final HttpServerResponse out;
  private final List<TargetRequest> targets;
  /** The link that translates answers, when some target is asked in another format; else null. */
  private final Translating translate;
  private final GatewayConfig config;
  private final long heartbeatNanos;

  private int index = -1;
  private final UpstreamMetrics metrics;
  /** Position in the event loop's {@link DeadlineSweeper}, -1 when not in it. */
  int sweepIndex = -1;
  private int generation;
  private Phase phase = Phase.WAITING;
  private HttpClientRequest request;
  private HttpClientResponse response;
  private long firstByteDeadline;
  private long totalDeadline;
  private long idleNanos;
  private long lastUpstreamNanos;
  private long lastClientWriteNanos;
  private boolean committed;
  private boolean paused;
  /** Upstream is paused because a link of the response chain waits (for the limiter). */
  private boolean gated;
  /** Upstream has ended; the stream completes once the chain has gone through its end. */
  private boolean upstreamEnded;
  private SseRelay relay;
  private Buffer collected;

  UpstreamCall(HttpClient client, DeadlineSweeper sweeper, UpstreamMetrics metrics, RoutingContext ctx, List<TargetRequest> targets,
      Translating translate) {
    this.client = client;
    this.sweeper = sweeper;
    this.metrics = metrics;
    this.ctx = ctx;
    this.ex = Exchange.of(ctx);
    this.out = ctx.response();
    this.targets = targets;
    this.translate = translate;
    this.config = ex.snapshot().config();
    this.heartbeatNanos = config.stream().heartbeatInterval().toNanos();
  }

  void start() {
    sweeper.add(this);
    out.closeHandler(v -> clientGone());
    out.exceptionHandler(e -> clientGone());
    next(null);
  }

  // ---- attempts and failover -----------------------------------------------------------------

  private void next(GatewayError previous) {
    index++;
    if (index >= targets.size()) {
      finish(previous);
      return;
    }
    if (index > 0) {
      metrics.failover(targets.get(index - 1).target().provider().config().name());
    }
    attempt(targets.get(index));
  }

  private void attempt(TargetRequest plan) {
    int gen = ++generation;
    Target target = plan.target();
    ex.attempt(target.provider().name(), target.provider().config().type(), plan.format(), target.model());
    if (translate != null) {
      translate.use(plan.translation());
    }
    Timeouts timeouts = target.provider().config().timeouts();
    long now = System.nanoTime();
    firstByteDeadline = now + timeouts.firstByte().toNanos();
    totalDeadline = now + timeouts.total().toNanos();
    idleNanos = timeouts.idle().toNanos();
    phase = Phase.WAITING;
    request = null;
    response = null;
    relay = null;
    collected = null;

    UpstreamUrl url = target.url(ex.endpoint(), ex.stream());
    MultiMap headers = HttpHeaders.headers()
        .set(HttpHeaders.CONTENT_TYPE, "application/json")
        .set(HttpHeaders.ACCEPT, ex.stream() ? "text/event-stream" : "application/json")
        .set("x-request-id", ex.requestId());
    target.provider().putHeaders(plan.format(), headers, ctx.request().headers());
    UpstreamTrace trace = ex.get(UpstreamTrace.SLOT);
    if (trace != null) {
      trace.attempt(headers, ex.format().operation(), target.provider().name(), target.provider().config().type().label(),
          target.model(), url.host(), url.port());
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(url.host())
        .setPort(url.port())
        .setSsl(url.ssl())
        .setURI(url.pathAndQuery())
        .setConnectTimeout(timeouts.connect().toMillis())
        .setHeaders(headers);
    JsonObject upstreamBody = new JsonObject(new LinkedHashMap<>((plan.body() != null ? plan.body() : ex.body()).getMap()));
    plan.format().setModel(upstreamBody, target.model());
    Buffer body = upstreamBody.toBuffer();

    client.request(options).onComplete(ar -> {
      if (gen != generation) {
        if (ar.succeeded()) {
          ar.result().reset();
        }
        return;
      }
      if (ar.failed()) {
        failed(gen, UpstreamErrors.connect(ar.cause()));
        return;
      }
      request = ar.result();
      request.send(body).onComplete(rr -> {
        if (gen != generation) {
          return;
        }
        if (rr.failed()) {
          failed(gen, UpstreamErrors.connect(rr.cause()));
        } else {
          onResponse(gen, rr.result());
        }
      });
    });
  }

  private void onResponse(int gen, HttpClientResponse res) {
    response = res;
    int status = res.statusCode();
    UpstreamTrace trace = ex.get(UpstreamTrace.SLOT);
    if (trace != null) {
      trace.responded(status);
    }
    if (UpstreamErrors.failsOver(status)) {
      logErrorBody(gen, res, UpstreamErrors.ofStatus(res));
      return;
    }
    String contentType = res.getHeader(HttpHeaders.CONTENT_TYPE);
    boolean eventStream = status / 100 == 2 && contentType != null && contentType.startsWith("text/event-stream");
    if (eventStream) {
      relay = new SseRelay(ex, config.stream().maxEventBytes(), () -> onRelayResumed(gen));
    } else {
      collected = Buffer.buffer();
    }
    res.handler(chunk -> onChunk(gen, chunk));
    res.endHandler(v -> onEnd(gen));
    res.exceptionHandler(e -> onUpstreamFailure(gen, e));
  }

  private void onChunk(int gen, Buffer chunk) {
    if (gen != generation) {
      return;
    }
    lastUpstreamNanos = System.nanoTime();
    if (phase == Phase.WAITING) {
      // first byte: from now on the idle (and, for streams, heartbeat) deadlines apply
      phase = Phase.RELAYING;
      if (relay != null) {
        commitStream();
      }
    }
    if (collected != null) {
      if (collected.length() + chunk.length() > config.upstream().maxResponseBytes()) {
        failed(gen, GatewayError.upstream("upstream_response_too_large",
            "the model provider's response exceeds the gateway's limit"));
        return;
      }
      collected.appendBuffer(chunk);
      return;
    }
    Buffer bytes = relay.onChunk(chunk);
    if (bytes == null) {
      abortStream(GatewayError.upstream("upstream_event_too_large", "the model provider sent an event over the size limit"));
      return;
    }
    writeToClient(bytes);
    afterRelay();
  }

  /** After the chain ran: end the stream if a link cut or finished it, pause upstream while a link waits. */
  private void afterRelay() {
    if (relay.cut() != null) {
      cutStream();
    } else if (relay.finished()) {
      finishStream();
    } else if (relay.holding() && !gated) {
      gated = true;
      response.pause();
    }
  }

  /** A link that waited goes on: write what came out, then carry on (or complete the stream that ended meanwhile). */
  private void onRelayResumed(int gen) {
    if (gen != generation || phase == Phase.DONE) {
      return;
    }
    writeToClient(relay.drain());
    if (relay.cut() != null || relay.finished() || relay.holding()) {
      afterRelay();
      return;
    }
    gated = false;
    lastUpstreamNanos = System.nanoTime();
    if (upstreamEnded) {
      complete();
      out.end();
    } else if (!paused && phase == Phase.RELAYING) {
      response.resume();
    }
  }

  /** A link ended the stream as complete (its own closing events are out): upstream is cancelled. */
  private void finishStream() {
    if (phase == Phase.DONE) {
      return;
    }
    generation++;
    Buffer tail = relay.onEnd();
    complete();
    if (request != null) {
      request.reset();
    }
    if (!out.ended() && !out.closed()) {
      out.end(tail);
    }
  }

  private void onEnd(int gen) {
    if (gen != generation) {
      return;
    }
    if (collected != null) {
      answerWhole();
      return;
    }
    if (!committed) {
      // a 2xx stream that ended before any byte: nothing reached the client, so try the next target
      failed(gen, GatewayError.upstream("upstream_empty_stream", "the model provider ended the stream without data"));
      return;
    }
    upstreamEnded = true;
    Buffer tail = relay.onEnd();
    if (relay.cut() != null || relay.finished()) {
      writeToClient(tail);
      afterRelay();
      return;
    }
    if (!relay.ended()) {
      writeToClient(tail); // a link waits: the stream completes when it goes on (onRelayResumed)
      return;
    }
    complete();
    out.end(tail);
  }

  /**
   * A whole answer: it goes through the response chain (usage, redaction) and then to the client.
   * A body a link could not check is not sent (fail closed); only the exception's class is logged,
   * its message may quote the text.
   */
  private void answerWhole() {
    complete();
    ResponseBody body = new ResponseBody(response.statusCode(), collected);
    try {
      ex.response().onBody(body);
    } catch (RuntimeException e) {
      LOG.error("response withheld: its filter failed ({})", e.getClass().getName());
      out.putHeader("x-request-id", ex.requestId());
      ErrorResponder.respond(ctx, ResponseChain.FILTER_FAILED);
      return;
    }
    HttpServerResponse res = out.setStatusCode(response.statusCode()).putHeader("x-request-id", ex.requestId());
    String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) {
      res.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    res.end(body.bytes());
  }

  private void onUpstreamFailure(int gen, Throwable cause) {
    if (gen != generation) {
      return;
    }
    GatewayError error = GatewayError.upstream("upstream_aborted", "the model provider closed the connection mid-response");
    if (committed) {
      abortStream(error);
    } else {
      failed(gen, error);
    }
  }

  /**
   * A provider's error answer: its body (up to {@value UpstreamErrors#ERROR_BODY_READ} bytes) is read and logged
   * for the operator, then the attempt fails over. The log layer redacts it like every log line.
   */
  private void logErrorBody(int gen, HttpClientResponse res, GatewayError error) {
    Buffer head = Buffer.buffer();
    String provider = ex.provider();
    Runnable done = () -> {
      if (gen == generation) {
        LOG.warn("request {}: provider {} answered {}: {}", ex.requestId(), provider, res.statusCode(), UpstreamErrors.summary(head));
        failed(gen, error);
      }
    };
    res.handler(chunk -> {
      if (gen != generation || head.length() >= UpstreamErrors.ERROR_BODY_READ) {
        return;
      }
      head.appendBuffer(chunk, 0, Math.min(chunk.length(), UpstreamErrors.ERROR_BODY_READ - head.length()));
      if (head.length() >= UpstreamErrors.ERROR_BODY_READ) {
        done.run(); // enough to say why; the rest is not waited for
      }
    });
    res.endHandler(v -> done.run());
    res.exceptionHandler(e -> done.run());
  }

  /** The current attempt failed before anything reached the client: drop it and try the next target. */
  private void failed(int gen, GatewayError error) {
    UpstreamTrace trace = ex.get(UpstreamTrace.SLOT);
    if (trace != null && gen == generation) {
      trace.failed(error.code());
    }
    if (gen != generation || phase == Phase.DONE) {
      return;
    }
    metrics.error(ex.provider(), error.code());
    generation++;
    if (request != null) {
      request.reset();
    }
    if (committed) {
      abortStream(error);
      return;
    }
    ex.error(error);
    next(error);
  }

  /** No target could serve: answer with the last failure. */
  private void finish(GatewayError last) {
    ex.unserved(); // nothing was served: settlement gives back what was reserved
    complete();
    if (last == null) {
      last = GatewayError.upstream("no_target", "no provider can serve this model");
    }
    out.putHeader("x-request-id", ex.requestId());
    ErrorResponder.respond(ctx, last);
  }

  // ---- streaming -----------------------------------------------------------------------------

  private void commitStream() {
    committed = true;
    out.setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, response.getHeader(HttpHeaders.CONTENT_TYPE))
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("x-accel-buffering", "no")
        .putHeader("x-request-id", ex.requestId());
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      out.setChunked(true);
    }
    lastClientWriteNanos = System.nanoTime();
  }

  private void writeToClient(Buffer bytes) {
    if (bytes.length() == 0) {
      return;
    }
    out.write(bytes);
    lastClientWriteNanos = System.nanoTime();
    if (!paused && out.writeQueueFull()) {
      // The client reads slower than upstream writes: stop reading upstream (TCP pushes back on
      // the provider) until the client's queue drains.
      paused = true;
      response.pause();
      out.drainHandler(v -> {
        paused = false;
        lastUpstreamNanos = System.nanoTime();
        if (phase == Phase.RELAYING && !gated) {
          response.resume();
        }
      });
    }
  }

  /** A link of the response chain ended the stream (the budget ran out, or a filter could not check it). */
  private void cutStream() {
    if (relay.failure() != null) {
      LOG.error("stream cut: its filter failed ({})", relay.failure());
    }
    endStream(relay.cut());
  }

  /** The provider failed a committed stream: counted as its error, then the stream ends. */
  private void abortStream(GatewayError error) {
    if (phase != Phase.DONE) {
      metrics.error(ex.provider(), error.code());
    }
    endStream(error);
  }

  /** Ends a committed stream with the format's error event and no [DONE]. */
  private void endStream(GatewayError error) {
    if (phase == Phase.DONE) {
      return;
    }
    generation++;
    ex.error(error);
    Buffer tail = relay.onError(error);
    complete();
    if (request != null) {
      request.reset();
    }
    if (!out.ended() && !out.closed()) {
      out.end(tail);
    }
  }

  /** The call is over (settlement follows when the exchange ends, in the limit stage). */
  private void complete() {
    phase = Phase.DONE;
    sweeper.remove(this);
  }

  private void clientGone() {
    if (phase == Phase.DONE) {
      return;
    }
    complete();
    generation++;
    ex.error(GatewayError.of(ErrorKind.INVALID_REQUEST, "client_closed", "the client went away"));
    if (request != null) {
      request.reset();
    }
  }

  // ---- deadlines -----------------------------------------------------------------------------

  /**
   * Called by the {@link DeadlineSweeper} of this event loop a few times a second: checks every
   * deadline of the current phase. No timer is set or cancelled per request or per chunk.
   */
  void checkDeadlines(long now) {
    if (phase == Phase.DONE) {
      return;
    }
    int gen = generation;
    if (now >= totalDeadline) {
      timedOut(gen, "upstream_timeout", "the model provider did not finish within the total timeout");
      return;
    }
    if (phase == Phase.WAITING && now >= firstByteDeadline) {
      timedOut(gen, "upstream_first_byte_timeout", "the model provider sent nothing within the first-byte timeout");
      return;
    }
    if (phase == Phase.RELAYING && !paused && !gated && now - lastUpstreamNanos >= idleNanos) {
      timedOut(gen, "upstream_idle_timeout", "the model provider went silent mid-response");
      return;
    }
    if (committed && now - lastClientWriteNanos >= heartbeatNanos) {
      // a comment line keeps proxies and clients from closing an idle but healthy stream
      out.write(HEARTBEAT);
      lastClientWriteNanos = now;
    }
  }

  private void timedOut(int gen, String code, String message) {
    GatewayError error = GatewayError.timeout(code, message);
    if (committed) {
      abortStream(error);
    } else {
      failed(gen, error);
    }
  }
}
