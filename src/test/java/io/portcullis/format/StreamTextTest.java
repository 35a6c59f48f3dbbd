package io.portcullis.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each format's stream grammar: every event it knows passes (its text through a filter), and an
 * event it does not know is refused, so nothing reaches a client unseen.
 */
class StreamTextTest {

  /** Upper-cases every text it sees, so a test can tell what went through a filter. */
  static final TextFilter.Factory UPPER = json -> new TextFilter() {
    @Override
    public String feed(String text) {
      return text.toUpperCase();
    }

    @Override
    public String finish() {
      return "";
    }
  };

  static SseEvent anthropic(String type, String data) {
    return new SseEvent(List.of(new SseField("event", type), SseField.data(data)));
  }

  static boolean passes(WireFormat format, SseEvent event, List<SseEvent> out) {
    return format.streamText(UPPER).onEvent(event, out::add);
  }

  @Test
  void openAiChatKnowsItsChunksItsUsageChunkItsErrorsAndDone() {
    List<SseEvent> out = new ArrayList<>();
    assertThat(passes(WireFormat.OPENAI_CHAT,
        SseEvent.ofData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"key sk\"},\"finish_reason\":null}]}"), out)).isTrue();
    assertThat(out.get(0).data()).contains("KEY SK");
    assertThat(passes(WireFormat.OPENAI_CHAT, SseEvent.ofData("{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}"), out)).isTrue();
    assertThat(passes(WireFormat.OPENAI_CHAT, SseEvent.ofData("{\"error\":{\"message\":\"bad key sk-x\"}}"), out)).isTrue();
    assertThat(out.get(out.size() - 1).data()).contains("BAD KEY SK-X");
    assertThat(passes(WireFormat.OPENAI_CHAT, SseEvent.ofData("[DONE]"), out)).isTrue();
    assertThat(passes(WireFormat.OPENAI_CHAT, new SseEvent(List.of(SseField.comment("note"))), out)).isTrue();
  }

  @Test
  void openAiChatRefusesWhatItDoesNotKnow() {
    for (String data : List.of("{\"output_text\":\"a secret in another shape\"}", "not json", "[1,2]",
        "{\"choices\":[\"text\"]}", "{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}")) {
      List<SseEvent> out = new ArrayList<>();
      assertThat(passes(WireFormat.OPENAI_CHAT, SseEvent.ofData(data), out)).as(data).isFalse();
      assertThat(out).as(data).isEmpty();
    }
  }

  @Test
  void anthropicKnowsTheMessagesEvents() {
    List<SseEvent> out = new ArrayList<>();
    StreamText text = WireFormat.ANTHROPIC_MESSAGES.streamText(UPPER);
    List<SseEvent> stream = List.of(
        anthropic("message_start", "{\"type\":\"message_start\",\"message\":{\"content\":[],\"usage\":{\"input_tokens\":3}}}"),
        anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"hi \"}}"),
        anthropic("ping", "{\"type\":\"ping\"}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"there\"}}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hm\"}}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"Zm9v\"}}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\"\"}}"),
        anthropic("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        anthropic("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}"),
        anthropic("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}"),
        anthropic("message_stop", "{\"type\":\"message_stop\"}"));
    for (SseEvent e : stream) {
      assertThat(text.onEvent(e, out::add)).as(e.toString()).isTrue();
    }
    String all = out.stream().map(SseEvent::data).reduce("", String::concat);
    assertThat(all).contains("HI ", "THERE", "HM", "Zm9v", "{\\\"A\\\"", "BUSY");
  }

  @Test
  void anthropicRefusesUnknownEventsAndDeltas() {
    for (SseEvent e : List.of(
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"cited_text\":\"x\"}}}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"}}"),
        anthropic("brand_new_event", "{\"type\":\"brand_new_event\",\"text\":\"secret\"}"),
        anthropic("message_start", "{\"type\":\"message_start\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"early\"}]}}"),
        anthropic("content_block_delta", "not json"))) {
      List<SseEvent> out = new ArrayList<>();
      assertThat(WireFormat.ANTHROPIC_MESSAGES.streamText(UPPER).onEvent(e, out::add)).as(e.toString()).isFalse();
      assertThat(out).isEmpty();
    }
  }

  @Test
  void embeddingsNeverStreamSoNoDataEventIsKnown() {
    assertThat(passes(WireFormat.OPENAI_EMBEDDINGS, SseEvent.ofData("{\"data\":[]}"), new ArrayList<>())).isFalse();
  }

  @Test
  void usageIsReadWhereEachFormatPutsIt() {
    assertThat(WireFormat.OPENAI_CHAT.usage(new JsonObject("{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":9}}")))
        .isEqualTo(new ReportedUsage(7, 9));
    assertThat(WireFormat.ANTHROPIC_MESSAGES.usage(new JsonObject(
        "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}")))
        .isEqualTo(new ReportedUsage(4, 1, -1, false));
    assertThat(WireFormat.ANTHROPIC_MESSAGES.usage(new JsonObject("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":12}}")))
        .isEqualTo(new ReportedUsage(-1, 12, -1, false));
    // cached prompt tokens: counted in the prompt by OpenAI, apart from it by Anthropic
    assertThat(WireFormat.OPENAI_CHAT.usage(new JsonObject("{\"usage\":{\"prompt_tokens\":70,\"completion_tokens\":9,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":64}}}"))).isEqualTo(new ReportedUsage(70, 9, 64, true));
    assertThat(WireFormat.ANTHROPIC_MESSAGES.usage(new JsonObject("{\"usage\":{\"input_tokens\":6,\"output_tokens\":9,"
        + "\"cache_read_input_tokens\":64}}"))).isEqualTo(new ReportedUsage(6, 9, 64, false));
    assertThat(WireFormat.OPENAI_RESPONSES.usage(new JsonObject("{\"type\":\"response.completed\",\"response\":{\"usage\":"
        + "{\"input_tokens\":70,\"output_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":64}}}}")))
        .isEqualTo(new ReportedUsage(70, 9, 64, true));
    assertThat(UpstreamFormat.GEMINI_GENERATE.usage(new JsonObject("{\"usageMetadata\":{\"promptTokenCount\":70,"
        + "\"candidatesTokenCount\":9,\"thoughtsTokenCount\":3,\"cachedContentTokenCount\":64}}")))
        .isEqualTo(new ReportedUsage(70, 12, 64, true));
    assertThat(WireFormat.OPENAI_CHAT.usage(new JsonObject("{\"usage\":null}"))).isNull();
    assertThat(WireFormat.OPENAI_CHAT.mayCarryUsage("{\"usage\":null}".getBytes())).isFalse();
    assertThat(WireFormat.OPENAI_CHAT.mayCarryUsage("{\"usage\": {\"x\":1}}".getBytes())).isTrue();
    assertThat(UpstreamFormat.GEMINI_GENERATE.mayCarryUsage("{\"usageMetadata\": {\"promptTokenCount\":1}}".getBytes())).isTrue();
    assertThat(UpstreamFormat.GEMINI_GENERATE.mayCarryUsage("{\"usage\": {\"x\":1}}".getBytes())).isFalse();
  }
}
