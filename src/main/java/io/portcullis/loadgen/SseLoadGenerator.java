package io.portcullis.loadgen;

import io.portcullis.sse.SseEventParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens N concurrent SSE streams against a chat-completions URL and measures what a chat UI feels:
 * time to first token and the gaps between tokens. Streams are opened at a steady ramp so the
 * measurement is of holding streams, not of a connection storm.
 */
public final class SseLoadGenerator {

  /** What to run. */
  public record Plan(URI url, String model, int streams, int rampPerSecond) {}

  /** What was measured; latencies in microseconds. */
  public record Report(int streams, int completed, int errors, long tokens, long[] ttftMicros, long[] gapMicros,
      long[] tokenLatencyMicros, long maxConcurrent, double seconds) {

    public long ttft(double q) {
      return quantile(ttftMicros, q);
    }

    public long gap(double q) {
      return quantile(gapMicros, q);
    }

    static long quantile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return -1;
      }
      int rank = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    public JsonObject toJson() {
      return new JsonObject().put("streams", streams).put("completed", completed).put("errors", errors)
          .put("tokens", tokens).put("max_concurrent", maxConcurrent).put("seconds", seconds)
          .put("ttft_p50_ms", ttft(0.5) / 1000.0).put("ttft_p99_ms", ttft(0.99) / 1000.0)
          .put("gap_p50_ms", gap(0.5) / 1000.0).put("gap_p99_ms", gap(0.99) / 1000.0)
          .put("gap_p999_ms", gap(0.999) / 1000.0)
          .put("stamped_tokens", tokenLatencyMicros.length)
          .put("token_latency_p50_ms", quantile(tokenLatencyMicros, 0.5) / 1000.0)
          .put("token_latency_p99_ms", quantile(tokenLatencyMicros, 0.99) / 1000.0)
          .put("token_latency_p999_ms", quantile(tokenLatencyMicros, 0.999) / 1000.0);
    }
  }

  private final Vertx vertx;
  private final Plan plan;
  private final HttpClient client;
  private final long[] ttft;
  private final LongList gaps = new LongList();
  /** Per token: arrival here minus the mock's send time (models with the mock's stamp=1 directive). */
  private final LongList tokenLatency = new LongList();
  private final AtomicInteger open = new AtomicInteger();
  private long maxConcurrent;
  private int completed;
  private int errors;
  private long tokens;
  private int started;
  private int finished;
  private final Promise<Report> done = Promise.promise();
  private long startNanos;

  public SseLoadGenerator(Vertx vertx, Plan plan) {
    this.vertx = vertx;
    this.plan = plan;
    this.ttft = new long[plan.streams()];
    Arrays.fill(ttft, -1);
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(30_000),
        new PoolOptions().setHttp1MaxSize(plan.streams()).setMaxWaitQueueSize(-1));
  }

  /** Runs the plan on one event loop (all state is touched from it only). */
  public Future<Report> run() {
    vertx.runOnContext(v -> {
      startNanos = System.nanoTime();
      long intervalMs = Math.max(1, 1000L / Math.max(1, plan.rampPerSecond()));
      int perTick = Math.max(1, (int) (plan.rampPerSecond() * intervalMs / 1000));
      vertx.setPeriodic(intervalMs, id -> {
        for (int k = 0; k < perTick && started < plan.streams(); k++) {
          startStream(started++);
        }
        if (started >= plan.streams()) {
          vertx.cancelTimer(id);
        }
      });
    });
    return done.future();
  }

  private void startStream(int n) {
    String body = new JsonObject().put("model", plan.model())
        .put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))
        .encode();
    long sent = System.nanoTime();
    long[] last = {-1};
    SseEventParser parser = new SseEventParser(1 << 20, event -> {
      String data = event.data();
      if (data == null || data.equals("[DONE]")) {
        return;
      }
      long now = System.nanoTime();
      int stamp = data.indexOf("\"x_mock_sent_ns\":");
      if (stamp >= 0) {
        int from = stamp + 17;
        int to = from;
        while (to < data.length() && Character.isDigit(data.charAt(to))) {
          to++;
        }
        tokenLatency.add((now - Long.parseLong(data.substring(from, to))) / 1000);
      }
      if (last[0] < 0) {
        ttft[n] = (now - sent) / 1000;
      } else {
        gaps.add((now - last[0]) / 1000);
      }
      last[0] = now;
      tokens++;
    });
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(plan.url().toString())
        .putHeader("content-type", "application/json").setIdleTimeout(120_000);
    client.request(options)
        .compose(req -> req.send(body))
        .onSuccess(res -> {
          if (res.statusCode() != 200) {
            res.body().onComplete(b -> finish(false));
            return;
          }
          maxConcurrent = Math.max(maxConcurrent, open.incrementAndGet());
          res.handler(chunk -> parser.feed(chunk.getBytes()));
          res.endHandler(v -> {
            open.decrementAndGet();
            finish(true);
          });
          res.exceptionHandler(e -> {
            open.decrementAndGet();
            finish(false);
          });
        })
        .onFailure(e -> finish(false));
  }

  private void finish(boolean ok) {
    if (ok) {
      completed++;
    } else {
      errors++;
    }
    if (++finished == plan.streams()) {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      long[] t = Arrays.stream(ttft).filter(x -> x >= 0).sorted().toArray();
      long[] g = gaps.sorted();
      client.close();
      done.complete(new Report(plan.streams(), completed, errors, tokens, t, g, tokenLatency.sorted(), maxConcurrent, seconds));
    }
  }

  /** A growable list of longs; the gaps of thousands of streams without boxing. */
  private static final class LongList {
    private long[] values = new long[1 << 16];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }
}
