package io.portcullis.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseEventParserTest {

  /** Streams that exercise every rule; each is also split at every byte offset below. */
  static final List<String> CORPUS = List.of(
      "data: hello\n\n",
      "data: hello\r\n\r\n",
      "data: hello\r\rdata: world\r\r",
      "data: a\r\ndata: b\n\rdata: c\r\n\n",
      "data: line one\ndata: line two\ndata:line three\n\n",
      ": this is a comment\ndata: x\n\n:heartbeat\n\n",
      "event: message_start\nid: 42\nretry: 3000\ndata: {\"type\":\"message_start\"}\n\n",
      "x-custom: kept\nfoo\ndata\ndata:\ndata:  two spaces\n\n",
      "data: héllo wörld 日本語 \uD83D\uDE00 emoji\n\n",
      "data: {\"choices\":[{\"delta\":{\"content\":\"\u00e9\u00e8\"}}]}\r\n\r\ndata: [DONE]\r\n\r\n",
      "\uFEFFdata: after bom\n\n",
      "data: no terminator at end",
      "data: a\n\ndata: b\n\n\n\n\ndata: c\n\n");

  static List<SseEvent> parse(List<byte[]> chunks) {
    List<SseEvent> events = new ArrayList<>();
    SseEventParser parser = new SseEventParser(1 << 20, events::add);
    for (byte[] c : chunks) {
      assertThat(parser.feed(c)).isTrue();
    }
    parser.end();
    return events;
  }

  static List<SseEvent> parse(String text) {
    return parse(List.of(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parsesFieldsAsTheStandardSays() {
    assertThat(parse("data: hello\r\rdata: world\r\r"))
        .containsExactly(SseEvent.ofData("hello"), SseEvent.ofData("world"));
    List<SseEvent> multi = parse("data: line one\ndata: line two\ndata:line three\n\n");
    assertThat(multi).hasSize(1);
    assertThat(multi.get(0).data()).isEqualTo("line one\nline two\nline three");
    SseEvent typed = parse("event: message_start\nid: 42\nretry: 3000\ndata: {}\n\n").get(0);
    assertThat(typed.type()).isEqualTo("message_start");
    assertThat(typed.id()).isEqualTo("42");
    assertThat(typed.fields()).contains(new SseField("retry", "3000"));
    SseEvent odd = parse("x-custom: kept\nfoo\ndata\ndata:\ndata:  two spaces\n\n").get(0);
    assertThat(odd.fields()).containsExactly(
        new SseField("x-custom", "kept"), new SseField("foo", ""), new SseField("data", ""),
        new SseField("data", ""), new SseField("data", " two spaces"));
    assertThat(odd.data()).isEqualTo("\n\n two spaces");
    assertThat(parse(": this is a comment\ndata: x\n\n").get(0).fields())
        .containsExactly(SseField.comment(" this is a comment"), SseField.data("x"));
    assertThat(parse("\uFEFFdata: after bom\n\n")).containsExactly(SseEvent.ofData("after bom"));
    assertThat(parse("data: no terminator at end")).isEmpty();
    assertThat(parse("data: héllo wörld 日本語 \uD83D\uDE00 emoji\n\n").get(0).data())
        .isEqualTo("héllo wörld 日本語 \uD83D\uDE00 emoji");
  }

  @Test
  void everySplitPointParsesLikeTheWholeStream() {
    for (String text : CORPUS) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      List<SseEvent> whole = parse(text);
      for (int cut = 0; cut <= bytes.length; cut++) {
        byte[] a = java.util.Arrays.copyOfRange(bytes, 0, cut);
        byte[] b = java.util.Arrays.copyOfRange(bytes, cut, bytes.length);
        assertThat(parse(List.of(a, b))).as("split of %s at %d", text, cut).isEqualTo(whole);
      }
      // and byte by byte
      List<byte[]> singles = new ArrayList<>();
      for (byte x : bytes) {
        singles.add(new byte[] {x});
      }
      assertThat(parse(singles)).as("bytewise %s", text).isEqualTo(whole);
    }
  }

  @Test
  void randomChunkingsOfTheWholeCorpusAgree() {
    String all = String.join("", CORPUS.subList(0, CORPUS.size() - 2)) + "data: end\n\n";
    byte[] bytes = all.getBytes(StandardCharsets.UTF_8);
    List<SseEvent> whole = parse(all);
    Random random = new Random(7);
    for (int round = 0; round < 2000; round++) {
      List<byte[]> chunks = new ArrayList<>();
      int i = 0;
      while (i < bytes.length) {
        int n = Math.min(bytes.length - i, 1 + random.nextInt(12));
        chunks.add(java.util.Arrays.copyOfRange(bytes, i, i + n));
        i += n;
      }
      assertThat(parse(chunks)).isEqualTo(whole);
    }
  }

  @Test
  void reserialisedOutputParsesToTheSameEvents() {
    for (String text : CORPUS) {
      List<SseEvent> events = parse(text);
      StringBuilder out = new StringBuilder();
      events.forEach(e -> out.append(SseWriter.toText(e)));
      assertThat(parse(out.toString())).as(text).isEqualTo(events);
    }
  }

  @Test
  void refusesAnEventOverTheLimit() {
    List<SseEvent> events = new ArrayList<>();
    SseEventParser parser = new SseEventParser(64, events::add);
    assertThat(parser.feed("data: small\n\n".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(parser.feed(("data: " + "x".repeat(40) + "\n").getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(parser.feed(("data: " + "y".repeat(40) + "\n").getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(parser.feed("\n".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(events).containsExactly(SseEvent.ofData("small"));
  }

  @Test
  void withDataKeepsOtherFieldsInPlace() {
    SseEvent e = parse("event: delta\ndata: a\ndata: b\nid: 7\n\n").get(0);
    SseEvent replaced = e.withData("x\ny\nz");
    assertThat(replaced.fields()).containsExactly(
        new SseField("event", "delta"), SseField.data("x"), SseField.data("y"), SseField.data("z"),
        new SseField("id", "7"));
  }
}
