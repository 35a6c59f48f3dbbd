package io.portcullis.forward;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.Timeouts;
import io.portcullis.ingress.ErrorKind;
import io.portcullis.ingress.ErrorResponder;
import io.portcullis.ingress.Exchange;
import io.portcullis.ingress.GatewayError;
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
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeoutException;

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

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpstreamCall.class);

  private enum Phase { WAITING, RELAYING, DONE }

  private static final Buffer HEARTBEAT = Buffer.buffer(": keep-alive\n\n");
  /** The response filter (the scrubber) threw: the output could not be checked, so it stops here. */
  /** The stream ran past the caller's remaining token budget. */
  private static final GatewayError BUDGET_EXHAUSTED = GatewayError.of(ErrorKind.RATE_LIMITED, "token_budget_exhausted",
      "the response ran past your remaining token budget and was cut");
  private static final GatewayError FILTER_FAILED = GatewayError.upstream("response_filter_failed",
      "the gateway could not check the model's output");

  private final HttpClient client;
  private final DeadlineSweeper sweeper;
  private final RoutingContext ctx;
  private final Exchange ex;
  private final HttpServerResponse out;
  private final List<Target> targets;
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
  private SseRelay relay;
  private Buffer collected;

  UpstreamCall(HttpClient client, DeadlineSweeper sweeper, UpstreamMetrics metrics, RoutingContext ctx, List<Target> targets) {
    this.client = client;
    this.sweeper = sweeper;
    this.metrics = metrics;
    this.ctx = ctx;
    this.ex = Exchange.of(ctx);
    this.out = ctx.response();
    this.targets = targets;
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
      metrics.failover(targets.get(index - 1).provider().config().name());
    }
    attempt(targets.get(index));
  }

  private void attempt(Target target) {
    int gen = ++generation;
    ex.attempt(target);
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

    UpstreamUrl url = target.url(ex.endpoint());
    MultiMap headers = HttpHeaders.headers()
        .set(HttpHeaders.CONTENT_TYPE, "application/json")
        .set(HttpHeaders.ACCEPT, ex.stream() ? "text/event-stream" : "application/json")
        .set("x-request-id", ex.requestId());
    target.provider().putHeaders(headers, ctx.request().headers());
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(url.host())
        .setPort(url.port())
        .setSsl(url.ssl())
        .setURI(url.pathAndQuery())
        .setConnectTimeout(timeouts.connect().toMillis())
        .setHeaders(headers);
    JsonObject upstreamBody = new JsonObject(new LinkedHashMap<>(ex.body().getMap())).put("model", target.model());
    Buffer body = upstreamBody.toBuffer();

    client.request(options).onComplete(ar -> {
      if (gen != generation) {
        if (ar.succeeded()) {
          ar.result().reset();
        }
        return;
      }
      if (ar.failed()) {
        failed(gen, connectError(ar.cause()));
        return;
      }
      request = ar.result();
      request.send(body).onComplete(rr -> {
        if (gen != generation) {
          return;
        }
        if (rr.failed()) {
          failed(gen, connectError(rr.cause()));
        } else {
          onResponse(gen, rr.result());
        }
      });
    });
  }

  private void onResponse(int gen, HttpClientResponse res) {
    response = res;
    int status = res.statusCode();
    if (status == 429 || status >= 500 || status == 401 || status == 403) {
      GatewayError error;
      if (status == 429) {
        error = new GatewayError(ErrorKind.RATE_LIMITED, "upstream_rate_limited",
            "the model provider is rate limiting requests; retry later", retryAfter(res));
      } else if (status >= 500) {
        error = GatewayError.upstream("upstream_error", "the model provider failed (status " + status + ")");
      } else {
        error = GatewayError.upstream("upstream_auth_failed", "the model provider refused the gateway's credentials");
      }
      logErrorBody(gen, res, error);
      return;
    }
    String contentType = res.getHeader(HttpHeaders.CONTENT_TYPE);
    boolean eventStream = status / 100 == 2 && contentType != null && contentType.startsWith("text/event-stream");
    if (eventStream) {
      relay = new SseRelay(ex, ex.target().provider(), config.stream().maxEventBytes());
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
    if (relay.hookFailed()) {
      LOG.error("stream cut: its filter failed ({})", relay.hookFailure());
      writeToClient(bytes);
      abortStream(FILTER_FAILED);
      return;
    }
    if (relay.budgetExhausted()) {
      writeToClient(bytes);
      abortStream(BUDGET_EXHAUSTED);
      return;
    }
    writeToClient(bytes);
  }

  private void onEnd(int gen) {
    if (gen != generation) {
      return;
    }
    if (collected != null) {
      if (response.statusCode() / 100 == 2) {
        try {
          io.vertx.core.json.JsonObject answer = new io.vertx.core.json.JsonObject(collected);
          ex.usage().observe(answer); // before complete() settles with it
          if (!config.observe().accessLog().prompts().equals("off")) {
            ex.completionText(io.portcullis.observe.Prompts.answerText(answer));
          }
        } catch (RuntimeException e) {
          // not JSON: settled with the prompt as counted
        }
      }
      complete();
      HttpServerResponse res = out.setStatusCode(response.statusCode())
          .putHeader("x-request-id", ex.requestId());
      String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
      if (contentType != null) {
        res.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
      }
      Buffer body;
      try {
        body = ex.bodyFilter().apply(collected);
      } catch (RuntimeException e) {
        // the response could not be checked, so it is not sent (fail closed); the exception's
        // message may quote the text, so only its class is logged
        LOG.error("response withheld: its filter failed ({})", e.getClass().getName());
        res.headers().remove(HttpHeaders.CONTENT_TYPE);
        ErrorResponder.respond(ctx, FILTER_FAILED);
        return;
      }
      res.end(body);
      return;
    }
    if (!committed) {
      // a 2xx stream that ended before any byte: nothing reached the client, so try the next target
      failed(gen, GatewayError.upstream("upstream_empty_stream", "the model provider ended the stream without data"));
      return;
    }
    Buffer tail = relay.onEnd();
    if (relay.hookFailed()) {
      LOG.error("stream cut at its end: its filter failed ({})", relay.hookFailure());
      writeToClient(tail);
      abortStream(FILTER_FAILED);
      return;
    }
    complete();
    out.end(tail);
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

  /** Most of a provider's error body that is logged (it says why, and passes the log redaction). */
  private static final int ERROR_BODY_LOGGED = 1024;

  /**
   * A provider's error answer: its body (up to {@value #ERROR_BODY_LOGGED} bytes) is read and logged
   * for the operator, then the attempt fails over. The log layer redacts it like every log line.
   */
  private void logErrorBody(int gen, HttpClientResponse res, GatewayError error) {
    Buffer head = Buffer.buffer();
    String provider = ex.target().provider().config().name();
    Runnable done = () -> {
      if (gen == generation) {
        LOG.warn("request {}: provider {} answered {}: {}", ex.requestId(), provider, res.statusCode(), errorSummary(head));
        failed(gen, error);
      }
    };
    res.handler(chunk -> {
      if (gen != generation || head.length() >= ERROR_BODY_LOGGED) {
        return;
      }
      head.appendBuffer(chunk, 0, Math.min(chunk.length(), ERROR_BODY_LOGGED - head.length()));
      if (head.length() >= ERROR_BODY_LOGGED) {
        done.run(); // enough to say why; the rest is not waited for
      }
    });
    res.endHandler(v -> done.run());
    res.exceptionHandler(e -> done.run());
  }

  /** Most characters of a provider's error message that are logged. */
  private static final int ERROR_MESSAGE_LOGGED = 300;

  /**
   * What is logged of an error body: the provider's error type, code and message (cut), not the
   * raw body; a body that is not a provider error shows as its size only. The message is the
   * operator's best clue, and passes the log redaction like every line (providers quote refused
   * keys in it).
   */
  static String errorSummary(Buffer body) {
    try {
      JsonObject json = new JsonObject(body);
      JsonObject error = json.getValue("error") instanceof JsonObject e ? e : json;
      StringBuilder out = new StringBuilder();
      for (String field : new String[] {"type", "code"}) {
        if (error.getValue(field) instanceof String v) {
          out.append(field).append('=').append(v.length() > 64 ? v.substring(0, 64) : v).append(' ');
        }
      }
      if (error.getValue("message") instanceof String m) {
        out.append("message=").append(m.length() > ERROR_MESSAGE_LOGGED ? m.substring(0, ERROR_MESSAGE_LOGGED) + "..." : m);
      }
      return out.isEmpty() ? "a JSON body without an error object" : out.toString().replace('\n', ' ');
    } catch (RuntimeException e) {
      return "a body of " + body.length() + " bytes that is not JSON" + (body.length() >= ERROR_BODY_LOGGED ? " (or longer)" : "");
    }
  }

  /** The current attempt failed before anything reached the client: drop it and try the next target. */
  private void failed(int gen, GatewayError error) {
    if (gen != generation || phase == Phase.DONE) {
      return;
    }
    metrics.error(ex.target().provider().config().name(), error.code());
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
    if (ex.reservation() != null) {
      ex.reservation().refund(); // nothing was served: the tokens reserved go back
    }
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
        if (phase == Phase.RELAYING) {
          response.resume();
        }
      });
    }
  }

  /** Ends a committed stream with the provider-shaped error event and no [DONE]. */
  private void abortStream(GatewayError error) {
    if (phase == Phase.DONE) {
      return;
    }
    if (error != FILTER_FAILED && error != BUDGET_EXHAUSTED) { // the gateway's own cuts are not the provider's errors
      metrics.error(ex.target().provider().config().name(), error.code());
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

  private void complete() {
    phase = Phase.DONE;
    sweeper.remove(this);
    if (ex.reservation() != null) {
      ex.reservation().settle(); // with the usage seen; a give-up has settled to 0 already
    }
    if (relay != null && LOG.isDebugEnabled()) {
      // the access log and metrics take these numbers over once observability lands
      StreamTimings t = ex.timings();
      LOG.debug("stream {} ended: ttft {} ms, {} tokens, gap p50 <= {} us, p99 <= {} us, max {} ms",
          ex.requestId(), t.timeToFirstTokenNanos() / 1_000_000, t.tokens(), t.gapQuantileMicros(0.5),
          t.gapQuantileMicros(0.99), t.maxGapNanos() / 1_000_000);
    }
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
    if (phase == Phase.RELAYING && !paused && now - lastUpstreamNanos >= idleNanos) {
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

  // ---- helpers -------------------------------------------------------------------------------

  private static GatewayError connectError(Throwable cause) {
    if (cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException
        || String.valueOf(cause.getMessage()).contains("timed out")) {
      return GatewayError.timeout("upstream_connect_timeout", "could not connect to the model provider in time");
    }
    if (cause instanceof ConnectException) {
      return GatewayError.upstream("upstream_unreachable", "could not connect to the model provider");
    }
    return GatewayError.upstream("upstream_unreachable", "the connection to the model provider failed");
  }

  private static long retryAfter(HttpClientResponse res) {
    String value = res.getHeader("retry-after");
    if (value == null) {
      return 1;
    }
    try {
      return Math.max(1, (long) Math.ceil(Double.parseDouble(value.trim())));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
