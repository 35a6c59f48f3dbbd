package io.portcullis.scrub;

import io.portcullis.format.StreamText;
import io.portcullis.format.WireFormat;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.GatewayError;
import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The scrubber's costs: block mode on mixed prose (chars per microsecond = MB/s for ASCII), the
 * engine per streamed token, and the whole per-event hook on OpenAI chunks (parse, decode, scrub,
 * pass or re-encode), the event ones sampled for their median. Run with
 * {@code benchmarks/jmh.sh Scrubber -prof gc} for bytes per operation.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ScrubberBenchmark {

  static final int PROSE_CHARS = 1 << 20;
  static final int TOKENS = 4096;
  static final int PIECE_CHARS = 16 * 1024;

  /**
   * Mixed prose as a model writes it: sentences, numbers, versions, dates, a URL, code, and now and
   * then an email or a key (about one finding per 2 KB).
   */
  static String prose(int chars, long seed) {
    String[] sentences = {
        "The gateway streams tokens from the model to the client while every policy holds across instances. ",
        "Version 2.4.1 shipped on 2024-05-01 with 37 fixes, and p99 latency fell from 120 ms to 85 ms. ",
        "See https://docs.example.org/guide#streaming for the details of server-sent events. ",
        "Call `client.chat.completions.create(model=\"gpt-4o\", stream=True)` and iterate over the chunks. ",
        "In 2023 the team processed 1,250,000 requests a day at a cost of $0.002 per request. ",
        "Une réponse en français, avec des accents, et 日本語のテキストも少し含まれています。 ",
        "If the order total exceeds 500 units, apply the discount described in section 4.2 of the contract. ",
        "The function returns a list of (key, value) pairs sorted by key; see the README for examples. ",
        "Reach the on-call engineer at oncall.team@example.com if the error rate stays above 2%. ",
        "Set api_key: sk-proj-Zq8Lm3Vx9Tb2Nc7Rf4Hd1Kw6Jp0Ys5Ug8Ea3Oi6Qn9Xc2Bv5Mz and restart the worker. "};
    Random random = new Random(seed);
    StringBuilder out = new StringBuilder(chars + 200);
    while (out.length() < chars) {
      int k = random.nextInt(100);
      // the last two (a finding each) are rarer than the rest
      out.append(sentences[k < 96 ? k % 8 : k < 98 ? 8 : 9]);
    }
    return out.substring(0, chars);
  }

  private Scrubber scrubber;
  private String prose;
  /** The same prose in 16 KiB pieces: the size of a typical whole answer. */
  private String[] pieces;
  private String[] tokens;
  private SseEvent[] events;
  private int next;
  private StreamScrubber stream;
  private StreamText hook;
  private final Consumer<String> noCount = rule -> { };
  /** Events of an answer that uses a pseudonymized request's placeholders (about one per 150 characters). */
  private SseEvent[] placeholderEvents;
  private String[] placeholderTokens;
  private Pseudonyms pseudonyms;
  private ScrubFilter scrubOnly;
  private ScrubFilter restoring;
  private Restorer restorer;

  @Setup
  public void setUp() {
    scrubber = Scrubber.builtIn(512);
    prose = prose(PROSE_CHARS, 1);
    pieces = new String[PROSE_CHARS / PIECE_CHARS];
    for (int i = 0; i < pieces.length; i++) {
      pieces[i] = prose.substring(i * PIECE_CHARS, (i + 1) * PIECE_CHARS);
    }
    // tokens of 1 to 7 characters, about 4 on average, like a BPE tokenizer's output on prose
    String text = prose(TOKENS * 8, 2);
    Random random = new Random(3);
    tokens = new String[TOKENS];
    int at = 0;
    for (int i = 0; i < TOKENS; i++) {
      int length = 1 + random.nextInt(7);
      tokens[i] = text.substring(at, at + length);
      at += length;
    }
    events = new SseEvent[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      JsonObject chunk = new JsonObject().put("id", "chatcmpl-8x7Y6z5W4v3U2t1S").put("object", "chat.completion.chunk")
          .put("created", 1732300000).put("model", "gpt-4o-mini-2024-07-18").put("system_fingerprint", "fp_0aa8d3e20b")
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("delta", new JsonObject().put("content", tokens[i])).putNull("logprobs").putNull("finish_reason")));
      events[i] = SseEvent.ofData(chunk.encode());
    }
    stream = scrubber.stream(noCount);
    hook = WireFormat.OPENAI_CHAT.streamText(json -> scrubber.stream(noCount));

    pseudonyms = new Pseudonyms(Set.of());
    String[] placeholders = {pseudonyms.placeholder("email", "ann.smith@example.com"),
        pseudonyms.placeholder("email", "bob@example.org"), pseudonyms.placeholder("iban", "DE89 3704 0044 0532 0130 00"),
        pseudonyms.placeholder("phone_number", "+44 20 7946 0958")};
    StringBuilder answer = new StringBuilder();
    String filler = prose(TOKENS * 8, 4);
    for (int k = 0; answer.length() < TOKENS * 8; k++) {
      answer.append(filler, answer.length() % (filler.length() - 200), answer.length() % (filler.length() - 200) + 140)
          .append(' ').append(placeholders[k % placeholders.length]).append(' ');
    }
    placeholderTokens = new String[TOKENS];
    placeholderEvents = new SseEvent[TOKENS];
    at = 0;
    for (int i = 0; i < TOKENS; i++) {
      int length = 1 + random.nextInt(7);
      placeholderTokens[i] = answer.substring(at, at + length);
      at += length;
      placeholderEvents[i] = SseEvent.ofData(new JsonObject().put("id", "chatcmpl-8x7Y6z5W4v3U2t1S")
          .put("object", "chat.completion.chunk").put("created", 1732300000).put("model", "gpt-4o-mini-2024-07-18")
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("delta", new JsonObject().put("content", placeholderTokens[i])).putNull("finish_reason"))).encode());
    }
    scrubOnly = new ScrubFilter(WireFormat.OPENAI_CHAT, scrubber, noCount, null);
    restoring = new ScrubFilter(WireFormat.OPENAI_CHAT, scrubber, noCount, pseudonyms);
    restorer = new Restorer(pseudonyms, false);
  }

  /** The last event a filter let through: kept in a field, so the JIT cannot drop the work. */
  private SseEvent emitted;
  /** Where the filters send their events (nothing here holds or cuts a stream); one for all calls. */
  private final EventSink sink = new EventSink() {
    @Override
    public void emit(SseEvent event) {
      emitted = event;
    }

    @Override
    public void cut(GatewayError error) {
      throw new IllegalStateException(error.toString());
    }

    @Override
    public void finish() {}

    @Override
    public Hold hold() {
      throw new IllegalStateException();
    }
  };

  /** The scrubbing link on an answer full of placeholders, with no pseudonyms to restore: the yardstick for the next. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public SseEvent filterEventScrubOnly() {
    if (next == TOKENS) {
      next = 0;
      scrubOnly.onEnd(sink);
      scrubOnly = new ScrubFilter(WireFormat.OPENAI_CHAT, scrubber, noCount, null);
    }
    scrubOnly.onEvent(placeholderEvents[next++], sink);
    return emitted;
  }

  /** The same link restoring the request's pseudonyms after scrubbing: the difference is pseudonymization's cost per token. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public SseEvent filterEventRestoring() {
    if (next == TOKENS) {
      next = 0;
      restoring.onEnd(sink);
      restoring = new ScrubFilter(WireFormat.OPENAI_CHAT, scrubber, noCount, pseudonyms);
    }
    restoring.onEvent(placeholderEvents[next++], sink);
    return emitted;
  }

  /** The restorer alone, per streamed token. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public String restorerToken() {
    if (next == TOKENS) {
      next = 0;
      restorer.finish();
      restorer = new Restorer(pseudonyms, false);
    }
    return restorer.feed(placeholderTokens[next++]);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @OperationsPerInvocation(PROSE_CHARS)
  public String blockModeChars() {
    return scrubber.scrub(prose);
  }

  /** Block mode on the same text as 64 answers of 16 KiB each. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @OperationsPerInvocation(PROSE_CHARS)
  public void blockModeChars16k(Blackhole out) {
    for (String piece : pieces) {
      out.consume(scrubber.scrub(piece));
    }
  }

  /**
   * A same-run yardstick for the noisy machine: one pass over the same text that builds a new
   * string of it, which any block-mode scrubber must at least do.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @OperationsPerInvocation(PROSE_CHARS)
  public String baselineLowerCaseChars() {
    return prose.toLowerCase(Locale.ROOT);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public String engineToken() {
    if (next == TOKENS) {
      next = 0;
      stream.finish();
      stream = scrubber.stream(noCount);
    }
    return stream.feed(tokens[next++]);
  }

  /**
   * The same-run yardstick for the hook: what any JSON-aware look at an event costs, decoding its
   * data and parsing it into a tree, with no scrubbing at all.
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public JsonObject baselineParseEvent() {
    if (next == TOKENS) {
      next = 0;
    }
    return new JsonObject(events[next++].data());
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void hookEvent(Blackhole out) {
    if (next == TOKENS) {
      next = 0;
      hook.onEnd(out::consume);
      hook = WireFormat.OPENAI_CHAT.streamText(json -> scrubber.stream(noCount));
    }
    hook.onEvent(events[next++], out::consume);
  }
}
