package io.portcullis.format;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What translating one streamed text event costs, per pair of formats: an Anthropic
 * {@code text_delta} said as a chat chunk, a chat chunk as an Anthropic delta, a chat chunk as a
 * Responses {@code output_text.delta}, a Gemini chunk as a chat chunk; and a Responses event through
 * its own stream grammar with a pass-through filter (the redaction link's parse and rebuild, without
 * the scrubber). Each translator is past its opening events, as in the middle of a stream.
 */
@State(Scope.Thread)
@Fork(2)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TranslationBenchmark {

  static final JsonObject CHAT_REQUEST = new JsonObject().put("stream", true)
      .put("stream_options", new JsonObject().put("include_usage", true));

  EventTranslator chatFromAnthropic;
  EventTranslator anthropicFromChat;
  EventTranslator responsesFromChat;
  EventTranslator chatFromGemini;
  StreamText responsesText;
  SseEvent anthropicDelta;
  SseEvent chatDelta;
  SseEvent geminiChunk;
  SseEvent responsesDelta;

  static SseEvent named(String type, String data) {
    return new SseEvent(List.of(new SseField("event", type), SseField.data(data)));
  }

  /** Each iteration starts new streams: the whole texts they keep for their closing events stay small. */
  @Setup(Level.Iteration)
  public void setUp() {
    chatFromAnthropic = Translation.between(WireFormat.OPENAI_CHAT, WireFormat.ANTHROPIC_MESSAGES).stream(CHAT_REQUEST, false);
    chatFromAnthropic.onEvent(named("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"c\","
        + "\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}"), e -> { });
    chatFromAnthropic.onEvent(named("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"), e -> { });
    anthropicDelta = named("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\" token\"}}");

    chatDelta = SseEvent.ofData("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"g\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},\"logprobs\":null,\"finish_reason\":null}]}");
    anthropicFromChat = Translation.between(WireFormat.ANTHROPIC_MESSAGES, WireFormat.OPENAI_CHAT).stream(new JsonObject(), false);
    anthropicFromChat.onEvent(chatDelta, e -> { });
    responsesFromChat = Translation.between(WireFormat.OPENAI_RESPONSES, WireFormat.OPENAI_CHAT).stream(new JsonObject(), false);
    responsesFromChat.onEvent(chatDelta, e -> { });

    geminiChunk = SseEvent.ofData("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" token\"}],\"role\":\"model\"},"
        + "\"index\":0}],\"modelVersion\":\"gemini-2.0-flash\",\"responseId\":\"r1\"}");
    chatFromGemini = Translation.between(WireFormat.OPENAI_CHAT, UpstreamFormat.GEMINI_GENERATE).stream(CHAT_REQUEST, false);
    chatFromGemini.onEvent(geminiChunk, e -> { });

    responsesText = WireFormat.OPENAI_RESPONSES.streamText(json -> new TextFilter() {
      @Override
      public String feed(String text) {
        return text;
      }

      @Override
      public String finish() {
        return "";
      }
    });
    responsesDelta = named("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\","
        + "\"output_index\":0,\"content_index\":0,\"delta\":\" token\",\"logprobs\":[],\"sequence_number\":7}");
  }

  @Benchmark
  public void chatFromAnthropic(Blackhole bh) {
    chatFromAnthropic.onEvent(anthropicDelta, bh::consume);
  }

  @Benchmark
  public void anthropicFromChat(Blackhole bh) {
    anthropicFromChat.onEvent(chatDelta, bh::consume);
  }

  @Benchmark
  public void responsesFromChat(Blackhole bh) {
    responsesFromChat.onEvent(chatDelta, bh::consume);
  }

  @Benchmark
  public void chatFromGemini(Blackhole bh) {
    chatFromGemini.onEvent(geminiChunk, bh::consume);
  }

  @Benchmark
  public void responsesEventThroughItsGrammar(Blackhole bh) {
    responsesText.onEvent(responsesDelta, bh::consume);
  }
}
