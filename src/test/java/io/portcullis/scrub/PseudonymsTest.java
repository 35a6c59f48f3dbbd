package io.portcullis.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.format.WireFormat;
import io.portcullis.ingress.EventSink;
import io.portcullis.ingress.GatewayError;
import io.portcullis.ingress.ResponseBody;
import io.portcullis.sse.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pseudonymization without the network: placeholders made for a request, and the answer's
 * placeholders restored block-wise and streamed, at every split point, after the scrubber.
 */
class PseudonymsTest {

  static final Scrubber SCRUBBER = Scrubber.builtIn(512);

  /** Every finding of the request replaced by its placeholder. */
  static String pseudonymize(Pseudonyms p, String text) {
    return SCRUBBER.scrub(text, rule -> { }, p::placeholder);
  }

  @Test
  void theSameValueGetsTheSamePlaceholderAcrossTheRequestAndDifferentValuesDifferentNumbers() {
    Pseudonyms p = new Pseudonyms(Set.of());
    JsonObject body = new JsonObject().put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "Write to ann@example.com only."))
        .add(new JsonObject().put("role", "user").put("content", "Mail ann@example.com and bob@example.org, call +44 20 7946 0958.")));
    JsonScrub.scrub(body, SCRUBBER, rule -> { }, p::placeholder);
    String sent = body.encode();
    assertThat(sent).doesNotContain("ann@example.com").doesNotContain("bob@example.org").doesNotContain("7946");
    assertThat(body.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("Write to <EMAIL_1> only.");
    assertThat(body.getJsonArray("messages").getJsonObject(1).getString("content"))
        .isEqualTo("Mail <EMAIL_1> and <EMAIL_2>, call <PHONE_NUMBER_1>.");
    assertThat(p.counts()).containsEntry("email", 2).containsEntry("phone_number", 1);
    assertThat(p.restore("Sent to <EMAIL_2>, copy <EMAIL_1>; rang <PHONE_NUMBER_1>.", false))
        .isEqualTo("Sent to bob@example.org, copy ann@example.com; rang +44 20 7946 0958.");
  }

  @Test
  void aPlaceholderTheCallerWroteIsNeverHandedOutSoItCannotTurnIntoAValue() {
    Set<String> taken = new HashSet<>();
    String prompt = "Template: dear <EMAIL_1>, <EMAIL_2> wrote. Real: zoe@example.net";
    Pseudonyms.shapedIn(prompt, taken);
    Pseudonyms p = new Pseudonyms(taken);
    assertThat(pseudonymize(p, prompt)).isEqualTo("Template: dear <EMAIL_1>, <EMAIL_2> wrote. Real: <EMAIL_3>");
    // the model echoes the caller's own template text: it stays text
    assertThat(p.restore("dear <EMAIL_1>; real <EMAIL_3>", false)).isEqualTo("dear <EMAIL_1>; real zoe@example.net");
  }

  /** Answers mixing known placeholders with invented, malformed and partial ones, and stray angle brackets. */
  static final String ANSWER = "Hi <EMAIL_1>! <EMAIL_9> is made up, <EMAIL_1 is cut, <email_1> is lower case, "
      + "< EMAIL_1> spaced, <<EMAIL_2>> doubled, <EMAIL_2>> and <<PHONE_NUMBER_1>, a<b>c, <>, 1 < 2 > 0, "
      + "<IBAN_1><IBAN_1><EMAIL_1>, ends with <EMAIL_2>";

  static Pseudonyms answerPseudonyms() {
    Pseudonyms p = new Pseudonyms(Set.of());
    assertThat(p.placeholder("email", "ann@example.com")).isEqualTo("<EMAIL_1>");
    assertThat(p.placeholder("email", "bob.o'neil@example.org")).isEqualTo("<EMAIL_2>");
    assertThat(p.placeholder("phone_number", "+44 20 7946 0958")).isEqualTo("<PHONE_NUMBER_1>");
    assertThat(p.placeholder("iban", "DE89 3704 0044 0532 0130 00")).isEqualTo("<IBAN_1>");
    return p;
  }

  static String expected() {
    return "Hi ann@example.com! <EMAIL_9> is made up, <EMAIL_1 is cut, <email_1> is lower case, "
        + "< EMAIL_1> spaced, <bob.o'neil@example.org> doubled, bob.o'neil@example.org> and <+44 20 7946 0958, a<b>c, <>, 1 < 2 > 0, "
        + "DE89 3704 0044 0532 0130 00DE89 3704 0044 0532 0130 00ann@example.com, ends with bob.o'neil@example.org";
  }

  @Test
  void streamedRestorationEqualsWholeTextRestorationAtEverySplitPointAndHoldsBackNoMoreThanAPlaceholder() {
    Pseudonyms p = answerPseudonyms();
    assertThat(p.restore(ANSWER, false)).isEqualTo(expected());
    for (int i = 0; i <= ANSWER.length(); i++) {
      for (int j = i; j <= ANSWER.length(); j++) {
        Restorer r = new Restorer(p, false);
        String out = r.feed(ANSWER.substring(0, i));
        assertThat(i - out.length()).isLessThanOrEqualTo(p.longest()); // what is held
        out += r.feed(ANSWER.substring(i, j)) + r.feed(ANSWER.substring(j)) + r.finish();
        assertThat(out).as("cut at %d and %d", i, j).isEqualTo(expected());
      }
    }
  }

  @Test
  void randomTextsRestoreTheSameHoweverTheyAreCut() {
    Pseudonyms p = answerPseudonyms();
    String[] parts = {"<EMAIL_1>", "<EMAIL_2>", "<EMAIL_3>", "<IBAN_1>", "<PHONE_NUMBER_1>", "<", ">", "<<", "EMAIL_1", "_", "1",
        "a", " ", "é", "😀", "<PHONE_NUMBER_", "\n"};
    Random r = new Random(17);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      for (int k = r.nextInt(12); k >= 0; k--) {
        text.append(parts[r.nextInt(parts.length)]);
      }
      String whole = p.restore(text.toString(), false);
      assertThat(whole).doesNotContain("<EMAIL_1>").doesNotContain("<IBAN_1>");
      Restorer restorer = new Restorer(p, false);
      StringBuilder streamed = new StringBuilder();
      int at = 0;
      while (at < text.length()) {
        int next = Math.min(text.length(), at + 1 + r.nextInt(6));
        streamed.append(restorer.feed(text.substring(at, next)));
        at = next;
      }
      assertThat(streamed.append(restorer.finish()).toString()).as(text.toString()).isEqualTo(whole);
    }
  }

  @Test
  void inJsonSourceAValueIsEscapedAsAJsonStringRequires() {
    Pseudonyms p = new Pseudonyms(Set.of());
    p.placeholder("generic_secret", "a\"b\\c");
    String args = "{\"password\":\"<GENERIC_SECRET_1>\"}";
    assertThat(p.restore(args, true)).isEqualTo("{\"password\":\"a\\\"b\\\\c\"}");
    assertThat(new JsonObject(p.restore(args, true)).getString("password")).isEqualTo("a\"b\\c");
    assertThat(p.restore(args, false)).isEqualTo("{\"password\":\"a\"b\\c\"}");
  }

  @Test
  void thousandsOfFindingsAndHugeValuesRoundTrip() {
    Pseudonyms p = new Pseudonyms(Set.of());
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      prompt.append("user").append(i).append("@example.com, ");
    }
    String huge = "Bearer " + "A".repeat(4000) + "z";
    prompt.append(huge);
    String sent = pseudonymize(p, prompt.toString());
    assertThat(sent).doesNotContain("@example.com").doesNotContain("AAAA").contains("<EMAIL_5000>").contains("<BEARER_TOKEN_1>");
    assertThat(p.counts()).containsEntry("email", 5000).containsEntry("bearer_token", 1);
    Restorer r = new Restorer(p, false);
    StringBuilder back = new StringBuilder();
    for (int i = 0; i < sent.length(); i += 3) {
      back.append(r.feed(sent.substring(i, Math.min(sent.length(), i + 3))));
    }
    assertThat(back.append(r.finish()).toString()).isEqualTo(prompt.toString());
  }

  // ---- after the scrubber, in a response's events ------------------------------------------------

  static List<SseEvent> openAiDeltas(List<String> pieces, boolean tool) {
    List<SseEvent> out = new ArrayList<>();
    for (String piece : pieces) {
      JsonObject delta = tool
          ? new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
              .put("function", new JsonObject().put("arguments", piece))))
          : new JsonObject().put("content", piece);
      out.add(SseEvent.ofData(new JsonObject().put("id", "c").put("object", "chat.completion.chunk")
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta).putNull("finish_reason"))).encode()));
    }
    out.add(SseEvent.ofData("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));
    out.add(SseEvent.ofData("[DONE]"));
    return out;
  }

  /** A sink that collects what a filter lets through (nothing here holds or cuts). */
  static EventSink sink(List<SseEvent> out) {
    return new EventSink() {
      @Override
      public void emit(SseEvent event) {
        out.add(event);
      }

      @Override
      public void cut(GatewayError error) {
        throw new AssertionError("cut: " + error);
      }

      @Override
      public void finish() {}

      @Override
      public Hold hold() {
        throw new AssertionError();
      }
    };
  }

  /** The text (or tool arguments) a client reassembles from the filtered events. */
  static String through(ScrubFilter filter, List<SseEvent> events, boolean tool) {
    List<SseEvent> out = new ArrayList<>();
    EventSink sink = sink(out);
    events.forEach(e -> filter.onEvent(e, sink));
    filter.onEnd(sink);
    StringBuilder text = new StringBuilder();
    for (SseEvent e : out) {
      if (e.isDone()) {
        continue;
      }
      JsonObject delta = new JsonObject(e.data()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
      if (tool && delta.getJsonArray("tool_calls") != null) {
        text.append(delta.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments"));
      } else if (!tool && delta.getString("content") != null) {
        text.append(delta.getString("content"));
      }
    }
    return text.toString();
  }

  @Test
  void theModelsOwnPiiIsRedactedWhileTheCallersValuesComeBackAtEverySplitPoint() {
    Pseudonyms p = new Pseudonyms(Set.of());
    String prompt = pseudonymize(p, "Ask ann@example.com about DE89 3704 0044 0532 0130 00");
    assertThat(prompt).isEqualTo("Ask <EMAIL_1> about <IBAN_1>");
    String answer = "I asked <EMAIL_1> (and cc'd eve@evil.example) about <IBAN_1>; <EMAIL_7> is unknown.";
    String expected = "I asked ann@example.com (and cc'd [REDACTED:email]) about DE89 3704 0044 0532 0130 00; <EMAIL_7> is unknown.";
    for (int i = 0; i <= answer.length(); i++) {
      ScrubFilter filter = new ScrubFilter(WireFormat.OPENAI_CHAT, SCRUBBER, rule -> { }, p);
      assertThat(through(filter, openAiDeltas(List.of(answer.substring(0, i), answer.substring(i)), false), false))
          .as("cut at %d", i).isEqualTo(expected);
    }
    // tool-call arguments are JSON source: restored as JSON string content, at every split point too
    String args = "{\"to\":\"<EMAIL_1>\",\"account\":\"<IBAN_1>\"}";
    for (int i = 0; i <= args.length(); i++) {
      ScrubFilter filter = new ScrubFilter(WireFormat.OPENAI_CHAT, SCRUBBER, rule -> { }, p);
      String got = through(filter, openAiDeltas(List.of(args.substring(0, i), args.substring(i)), true), true);
      assertThat(new JsonObject(got)).as("cut at %d", i)
          .isEqualTo(new JsonObject().put("to", "ann@example.com").put("account", "DE89 3704 0044 0532 0130 00"));
    }
  }

  @Test
  void anthropicTextAndToolInputDeltasAreRestored() {
    Pseudonyms p = new Pseudonyms(Set.of());
    pseudonymize(p, "ann@example.com");
    List<SseEvent> events = new ArrayList<>();
    events.add(SseEvent.ofData("{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[]}}"));
    events.add(SseEvent.ofData("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    for (String piece : List.of("Hello <EM", "AIL_", "1>", "!")) {
      events.add(SseEvent.ofData(new JsonObject().put("type", "content_block_delta").put("index", 0)
          .put("delta", new JsonObject().put("type", "text_delta").put("text", piece)).encode()));
    }
    events.add(SseEvent.ofData("{\"type\":\"content_block_stop\",\"index\":0}"));
    events.add(SseEvent.ofData("{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
        + "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"mail\",\"input\":{}}}"));
    for (String piece : List.of("{\"to\":\"<EMAIL", "_1>\"}")) {
      events.add(SseEvent.ofData(new JsonObject().put("type", "content_block_delta").put("index", 1)
          .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", piece)).encode()));
    }
    events.add(SseEvent.ofData("{\"type\":\"content_block_stop\",\"index\":1}"));
    events.add(SseEvent.ofData("{\"type\":\"message_stop\"}"));
    List<SseEvent> out = new ArrayList<>();
    ScrubFilter filter = new ScrubFilter(WireFormat.ANTHROPIC_MESSAGES, SCRUBBER, rule -> { }, p);
    EventSink sink = sink(out);
    events.forEach(e -> filter.onEvent(e, sink));
    StringBuilder text = new StringBuilder();
    StringBuilder input = new StringBuilder();
    for (SseEvent e : out) {
      JsonObject data = new JsonObject(e.data());
      if (data.getValue("delta") instanceof JsonObject d) {
        text.append(d.getString("text", ""));
        input.append(d.getString("partial_json", ""));
      }
    }
    assertThat(text.toString()).isEqualTo("Hello ann@example.com!");
    assertThat(new JsonObject(input.toString()).getString("to")).isEqualTo("ann@example.com");
  }

  @Test
  void wholeBodiesAreRestoredInContentAndInToolCallArguments() {
    Pseudonyms p = new Pseudonyms(Set.of());
    p.placeholder("generic_secret", "x\"y");
    p.placeholder("email", "ann@example.com");
    JsonObject answer = new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("message", new JsonObject().put("role", "assistant").put("content", "Mailed <EMAIL_1>, and bob@corp.example saw it.")
            .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "c").put("type", "function")
                .put("function", new JsonObject().put("name", "f").put("arguments", "{\"p\":\"<GENERIC_SECRET_1>\"}")))))));
    ResponseBody body = new ResponseBody(200, Buffer.buffer(answer.encode()));
    new ScrubFilter(WireFormat.OPENAI_CHAT, SCRUBBER, rule -> { }, p).onBody(body);
    JsonObject message = new JsonObject(body.bytes()).getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    assertThat(message.getString("content")).isEqualTo("Mailed ann@example.com, and [REDACTED:email] saw it.");
    String args = message.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments");
    assertThat(new JsonObject(args).getString("p")).isEqualTo("x\"y");
  }
}
