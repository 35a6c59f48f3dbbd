package io.portcullis.forward;

import io.portcullis.ingress.Endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.format.WireFormat;
import io.portcullis.ingress.ResponseFilter;
import io.portcullis.scrub.ScrubFilter;
import io.portcullis.ingress.Exchange;
import io.portcullis.scrub.Scrubber;
import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseEventParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The whole streaming path with redaction on: SSE bytes split anywhere (inside UTF-8 sequences,
 * inside JSON escapes) → parser → scrub hook → client. The text the client reassembles must equal
 * block-mode scrubbing of the whole text, and no piece of a secret may leave before its redaction.
 */
class ScrubbedRelayTest {

  static final Scrubber SCRUBBER = Scrubber.builtIn(512);
  static final String TEXT = "Schlüssel AKIAZ7Q3XKJHGF5RT2WB für jane.doe@example.com 日本 \uD83D\uDE00 ok";

  /** An OpenAI stream whose deltas use JSON escapes ("\u0040" for '@', "\u00fc" for 'ü'). */
  static String stream(String text) {
    StringBuilder out = new StringBuilder();
    for (String piece : TranslatedScrubTest.pieces(text)) {
      StringBuilder escaped = new StringBuilder();
      for (char c : piece.toCharArray()) {
        escaped.append(c == '@' || c > 127 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
      out.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
          .append(escaped).append("\"},\"finish_reason\":null}]}\n\n");
    }
    out.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    out.append("data: [DONE]\n\n");
    return out.toString();
  }

  static String relay(List<byte[]> chunks, List<String> releasedSoFar) throws Exception {
    Exchange ex = new Exchange("req", System.nanoTime(), null, Endpoint.CHAT_COMPLETIONS);
    ex.response().install(ResponseFilter.Order.SCRUB, new ScrubFilter(WireFormat.OPENAI_CHAT, SCRUBBER, rule -> { }));
    SseRelay relay = new SseRelay(ex, 1 << 20, () -> { });
    StringBuilder wire = new StringBuilder();
    for (byte[] c : chunks) {
      wire.append(relay.onChunk(Buffer.buffer(c)).toString(StandardCharsets.UTF_8));
      releasedSoFar.add(text(wire.toString()));
    }
    wire.append(relay.onEnd().toString(StandardCharsets.UTF_8));
    return wire.toString();
  }

  static String text(String wire) {
    StringBuilder text = new StringBuilder();
    SseEventParser parser = new SseEventParser(1 << 20, e -> {
      if (!e.isDone()) {
        String c = new JsonObject(e.data()).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content");
        text.append(c == null ? "" : c);
      }
    });
    parser.feed(wire.getBytes(StandardCharsets.UTF_8));
    return text.toString();
  }

  @Test
  void textOnTheFinishChunkKeepsItsPlaceBeforeTheFinish() throws Exception {
    String wire = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mail jane\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"@example.com ok\"},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n";
    String out = relay(List.of(wire.getBytes(StandardCharsets.UTF_8)), new ArrayList<>());
    assertThat(text(out)).isEqualTo("mail [REDACTED:email] ok");
    List<SseEvent> events = new ArrayList<>();
    new SseEventParser(1 << 20, events::add).feed(out.getBytes(StandardCharsets.UTF_8));
    JsonObject finish = new JsonObject(events.get(events.size() - 2).data()).getJsonArray("choices").getJsonObject(0);
    assertThat(finish.getString("finish_reason")).isEqualTo("stop");
    assertThat(finish.getJsonObject("delta").getString("content")).isEmpty();
  }

  @Test
  void everySplitOfTheByteStreamYieldsTheBlockResult() throws Exception {
    String expected = SCRUBBER.scrub(TEXT);
    assertThat(expected).contains("[REDACTED:aws_access_key]").contains("[REDACTED:email]");
    byte[] bytes = stream(TEXT).getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      List<String> released = new ArrayList<>();
      String wire = relay(List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)), released);
      assertThat(text(wire)).as("cut at %d", cut).isEqualTo(expected);
      assertEveryEventCarriesSomething(wire);
    }
    Random random = new Random(5);
    for (int round = 0; round < 100; round++) {
      List<byte[]> chunks = new ArrayList<>();
      int i = 0;
      while (i < bytes.length) {
        int n = Math.min(bytes.length - i, 1 + random.nextInt(40));
        chunks.add(Arrays.copyOfRange(bytes, i, i + n));
        i += n;
      }
      List<String> released = new ArrayList<>();
      String wire = relay(chunks, released);
      assertThat(text(wire)).isEqualTo(expected);
      for (String prefix : released) {
        for (String secret : List.of("AKIAZ7Q3XKJHGF5RT2WB", "jane.doe@example.com")) {
          for (int k = 0; k + 4 <= secret.length(); k++) {
            assertThat(prefix.replaceAll("\\[REDACTED:[a-z0-9_]+]", "#")).doesNotContain(secret.substring(k, k + 4));
          }
        }
      }
      assertEveryEventCarriesSomething(wire);
      List<SseEvent> events = new ArrayList<>();
      new SseEventParser(1 << 20, events::add).feed(wire.getBytes(StandardCharsets.UTF_8));
      assertThat(events.get(events.size() - 1).isDone()).isTrue();
      assertThat(new JsonObject(events.get(events.size() - 2).data()).getJsonArray("choices").getJsonObject(0)
          .getString("finish_reason")).isEqualTo("stop");
    }
  }

  /** While text is held back, no event goes out empty: each carries text, a role or a finish. */
  static void assertEveryEventCarriesSomething(String wire) {
    List<SseEvent> events = new ArrayList<>();
    new SseEventParser(1 << 20, events::add).feed(wire.getBytes(StandardCharsets.UTF_8));
    for (SseEvent e : events) {
      if (e.isDone()) {
        continue;
      }
      JsonObject choice = new JsonObject(e.data()).getJsonArray("choices").getJsonObject(0);
      JsonObject delta = choice.getJsonObject("delta");
      boolean says = choice.getString("finish_reason") != null || delta.getString("role") != null
          || !delta.getString("content", "").isEmpty();
      assertThat(says).as("an event that carries nothing: %s", e.data()).isTrue();
    }
  }

  @Test
  void anEventWithARoleOrUsageIsKeptWhenItsTextIsHeld() throws Exception {
    String wire = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"mail jane\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\".doe\"},\"finish_reason\":null}],\"usage\":{\"completion_tokens\":3}}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"@exam\"},\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ple.com ok\"},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n";
    String out = relay(List.of(wire.getBytes(StandardCharsets.UTF_8)), new ArrayList<>());
    assertThat(text(out)).isEqualTo("mail [REDACTED:email] ok");
    List<SseEvent> events = new ArrayList<>();
    new SseEventParser(1 << 20, events::add).feed(out.getBytes(StandardCharsets.UTF_8));
    // the role's event and the usage's event stay (with the text held), the bare "@exam" one goes
    assertThat(events.get(0).data()).contains("\"role\":\"assistant\"");
    assertThat(events.get(1).data()).contains("\"completion_tokens\":3");
    assertThat(events).noneMatch(e -> e.hasData() && e.data().contains("\"usage\":null"));
  }
}
