package io.portcullis.ingress;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a whole answer's usage: the member read by a streaming parse (what the usage link does
 * when no later link needs the tree) against decoding the whole answer into a tree. Run with
 * {@code -prof gc} for the allocation per operation.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseBodyBenchmark {

  /** Characters of answer text: a short reply, and a long one. */
  @Param({"2", "4000"})
  int answerChars;

  Buffer body;

  @Setup
  public void setUp() {
    String text = "word ".repeat(Math.max(1, answerChars / 5)).substring(0, answerChars);
    body = new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 0).put("model", "bench")
        .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", text)).put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 9).put("completion_tokens", 1).put("total_tokens", 10)).toBuffer();
  }

  @Benchmark
  public Object usageByStreamingParse() {
    return new ResponseBody(200, body).member("usage");
  }

  @Benchmark
  public Object usageFromTheTree() {
    ResponseBody b = new ResponseBody(200, body);
    b.wantTree();
    return b.member("usage");
  }
}
