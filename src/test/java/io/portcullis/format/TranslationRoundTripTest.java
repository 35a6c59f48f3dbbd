package io.portcullis.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.sse.SseEvent;
import io.portcullis.sse.SseField;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Chat completions and Anthropic Messages translated there and back, on random requests, answers
 * and event sequences: everything both formats can say (system prompt, turns, text and image
 * parts, tool calls and results, tools, tool choice, bounds and sampling, stop sequences, the
 * answer's text and tool calls, stop reasons, usage) survives the round trip.
 */
class TranslationRoundTripTest {

  static final Translation CHAT_OVER_ANTHROPIC = Translation.between(WireFormat.OPENAI_CHAT, WireFormat.ANTHROPIC_MESSAGES);
  static final Translation MESSAGES_OVER_CHAT = Translation.between(WireFormat.ANTHROPIC_MESSAGES, WireFormat.OPENAI_CHAT);
  static final String[] WORDS = {"hello", "ünïcødé", "日本", "\uD83D\uDE00", "\"quoted\"", "back\\slash", "line\nbreak", "tab\t", "{\"json\":1}", ""};

  static String text(Random r) {
    StringBuilder s = new StringBuilder();
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      s.append(WORDS[r.nextInt(WORDS.length)]).append(i + 1 < n ? " " : "");
    }
    return s.isEmpty() ? "x" : s.toString();
  }

  static JsonObject args(Random r) {
    JsonObject a = new JsonObject();
    for (int i = r.nextInt(3); i >= 0; i--) {
      a.put("k" + i, r.nextBoolean() ? text(r) : (Object) r.nextInt(1000));
    }
    return a;
  }

  // ---- requests ------------------------------------------------------------------------------

  static JsonObject randomChat(Random r) {
    JsonArray messages = new JsonArray();
    if (r.nextBoolean()) {
      messages.add(new JsonObject().put("role", "system").put("content", text(r)));
    }
    int rounds = 1 + r.nextInt(4);
    int callId = 0;
    for (int i = 0; i < rounds; i++) {
      messages.add(new JsonObject().put("role", "user").put("content", userContent(r)));
      JsonObject assistant = new JsonObject().put("role", "assistant");
      JsonArray calls = new JsonArray();
      if (r.nextBoolean()) {
        for (int c = r.nextInt(3); c >= 0; c--) {
          calls.add(new JsonObject().put("id", "call_" + callId++).put("type", "function")
              .put("function", new JsonObject().put("name", "fn" + r.nextInt(3)).put("arguments", args(r).encode())));
        }
        assistant.put("tool_calls", calls);
        if (r.nextBoolean()) {
          assistant.put("content", text(r));
        } else {
          assistant.putNull("content");
        }
      } else {
        assistant.put("content", text(r));
      }
      messages.add(assistant);
      for (Object c : calls) {
        messages.add(new JsonObject().put("role", "tool").put("tool_call_id", ((JsonObject) c).getString("id")).put("content", text(r)));
      }
    }
    messages.add(new JsonObject().put("role", "user").put("content", userContent(r)));
    JsonObject body = new JsonObject().put("model", "m").put("messages", messages);
    if (r.nextBoolean()) {
      body.put("max_tokens", 1 + r.nextInt(5000));
    }
    if (r.nextBoolean()) {
      body.put("temperature", r.nextInt(11) / 10.0);
    }
    if (r.nextBoolean()) {
      body.put("top_p", r.nextInt(11) / 10.0);
    }
    if (r.nextBoolean()) {
      body.put("stop", r.nextBoolean() ? (Object) text(r) : new JsonArray().add(text(r)).add("END"));
    }
    if (r.nextBoolean()) {
      body.put("user", "user-" + r.nextInt(100));
    }
    if (r.nextBoolean()) {
      JsonArray tools = new JsonArray();
      for (int t = r.nextInt(3); t >= 0; t--) {
        tools.add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "fn" + t)
            .put("description", text(r)).put("parameters", new JsonObject().put("type", "object")
                .put("properties", new JsonObject().put("k0", new JsonObject().put("type", "string"))))));
      }
      body.put("tools", tools);
      switch (r.nextInt(5)) {
        case 0 -> body.put("tool_choice", "auto");
        case 1 -> body.put("tool_choice", "none");
        case 2 -> body.put("tool_choice", "required");
        case 3 -> body.put("tool_choice", new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "fn0")));
        default -> { }
      }
      if (r.nextBoolean()) {
        body.put("parallel_tool_calls", false);
      }
    }
    if (r.nextBoolean()) {
      body.put("stream", r.nextBoolean());
    }
    return body;
  }

  static Object userContent(Random r) {
    if (r.nextBoolean()) {
      return text(r);
    }
    JsonArray parts = new JsonArray();
    for (int p = r.nextInt(3); p >= 0; p--) {
      if (r.nextInt(3) == 0) {
        String url = r.nextBoolean() ? "data:image/png;base64,iVBORw0KGgo" + r.nextInt(100) : "https://example.com/" + r.nextInt(100) + ".png";
        parts.add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url)));
      } else {
        parts.add(new JsonObject().put("type", "text").put("text", text(r)));
      }
    }
    return parts;
  }

  /** A conversation as a flat list of what it says, whatever the grouping of turns and parts. */
  static List<String> chatItems(JsonObject body) {
    List<String> items = new ArrayList<>();
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      Object content = m.getValue("content");
      if (content instanceof String s && !(role.equals("assistant") && s.isEmpty())) {
        items.add(role + ":" + s);
      } else if (content instanceof JsonArray parts) {
        for (Object p : parts) {
          JsonObject part = (JsonObject) p;
          items.add(role + ":" + (part.getString("type").equals("text") ? part.getString("text") : "image " + part.getJsonObject("image_url").getString("url")));
        }
      }
      if (m.getValue("tool_calls") instanceof JsonArray calls) {
        for (Object c : calls) {
          JsonObject call = (JsonObject) c;
          items.add("call:" + call.getString("id") + ":" + call.getJsonObject("function").getString("name") + ":"
              + new JsonObject(call.getJsonObject("function").getString("arguments")).encode());
        }
      }
      if (role.equals("tool")) {
        items.set(items.size() - 1, "result:" + m.getString("tool_call_id") + ":" + content);
      }
    }
    return items;
  }

  @Test
  void chatRequestsSurviveAnthropicAndBack() {
    Random r = new Random(11);
    for (int round = 0; round < 3000; round++) {
      JsonObject chat = randomChat(r);
      JsonObject anthropic = CHAT_OVER_ANTHROPIC.request(chat);
      JsonObject back = MESSAGES_OVER_CHAT.request(anthropic);
      String why = chat.encodePrettily() + "\n=> " + anthropic.encodePrettily() + "\n=> " + back.encodePrettily();
      assertThat(chatItems(back)).as(why).isEqualTo(chatItems(chat));
      assertThat(back.getValue("max_tokens")).as(why).isEqualTo(chat.getValue("max_tokens") != null ? chat.getValue("max_tokens")
          : (Object) ChatOverAnthropic.DEFAULT_MAX_TOKENS);
      for (String field : List.of("temperature", "top_p", "user", "tools", "stream")) {
        assertThat(back.getValue(field)).as(field + ": " + why).isEqualTo(chat.getValue(field));
      }
      Object stop = chat.getValue("stop") instanceof String s ? new JsonArray().add(s) : chat.getValue("stop");
      assertThat(back.getValue("stop")).as(why).isEqualTo(stop);
      boolean serial = Boolean.FALSE.equals(chat.getValue("parallel_tool_calls"));
      assertThat(back.getValue("parallel_tool_calls")).as(why).isEqualTo(serial ? false : null);
      Object choice = chat.getValue("tool_choice") == null && serial ? "auto" : chat.getValue("tool_choice");
      if (choice instanceof JsonObject c) {
        choice = new JsonObject().put("type", "function").put("function", c.getJsonObject("function"));
      }
      assertThat(back.getValue("tool_choice")).as(why).isEqualTo(choice);
      if (Boolean.TRUE.equals(chat.getValue("stream"))) {
        assertThat(back.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
      }
    }
  }

  static JsonObject randomAnthropic(Random r) {
    JsonArray messages = new JsonArray();
    int rounds = 1 + r.nextInt(4);
    int callId = 0;
    List<String> pending = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      JsonArray user = new JsonArray();
      for (String id : pending) {
        user.add(new JsonObject().put("type", "tool_result").put("tool_use_id", id).put("content", text(r)));
      }
      pending.clear();
      if (user.isEmpty() && r.nextBoolean()) {
        messages.add(new JsonObject().put("role", "user").put("content", text(r)));
      } else {
        for (int p = r.nextInt(3); p >= 0; p--) {
          user.add(r.nextInt(3) == 0
              ? new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "base64").put("media_type", "image/jpeg").put("data", "AAAA" + r.nextInt(100)))
              : new JsonObject().put("type", "text").put("text", text(r)));
        }
        messages.add(new JsonObject().put("role", "user").put("content", user));
      }
      JsonArray assistant = new JsonArray();
      if (r.nextBoolean()) {
        assistant.add(new JsonObject().put("type", "text").put("text", text(r)));
      }
      if (r.nextBoolean() || assistant.isEmpty()) {
        for (int c = r.nextInt(3); c >= 0; c--) {
          String id = "toolu_" + callId++;
          pending.add(id);
          assistant.add(new JsonObject().put("type", "tool_use").put("id", id).put("name", "fn" + r.nextInt(3)).put("input", args(r)));
        }
      }
      messages.add(new JsonObject().put("role", "assistant").put("content", assistant));
    }
    JsonArray last = new JsonArray();
    for (String id : pending) {
      last.add(new JsonObject().put("type", "tool_result").put("tool_use_id", id).put("content", text(r)));
    }
    last.add(new JsonObject().put("type", "text").put("text", text(r)));
    messages.add(new JsonObject().put("role", "user").put("content", last));
    JsonObject body = new JsonObject().put("model", "m").put("max_tokens", 1 + r.nextInt(5000)).put("messages", messages);
    if (r.nextBoolean()) {
      body.put("system", text(r));
    }
    if (r.nextBoolean()) {
      body.put("temperature", r.nextInt(11) / 10.0);
    }
    if (r.nextBoolean()) {
      body.put("stop_sequences", new JsonArray().add(text(r)));
    }
    if (r.nextBoolean()) {
      body.put("metadata", new JsonObject().put("user_id", "u" + r.nextInt(10)));
    }
    if (r.nextBoolean()) {
      body.put("tools", new JsonArray().add(new JsonObject().put("name", "fn0").put("description", text(r))
          .put("input_schema", new JsonObject().put("type", "object"))));
      switch (r.nextInt(4)) {
        case 0 -> body.put("tool_choice", new JsonObject().put("type", "auto"));
        case 1 -> body.put("tool_choice", new JsonObject().put("type", "any").put("disable_parallel_tool_use", true));
        case 2 -> body.put("tool_choice", new JsonObject().put("type", "tool").put("name", "fn0"));
        default -> body.put("tool_choice", new JsonObject().put("type", "none"));
      }
    }
    return body;
  }

  /** An Anthropic conversation as a flat list of what it says. */
  static List<String> anthropicItems(JsonObject body) {
    List<String> items = new ArrayList<>();
    if (body.getValue("system") != null) {
      items.add("system:" + body.getValue("system"));
    }
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      if (m.getValue("content") instanceof String s) {
        items.add(role + ":" + s);
        continue;
      }
      for (Object b : m.getJsonArray("content")) {
        JsonObject block = (JsonObject) b;
        items.add(switch (block.getString("type")) {
          case "text" -> role + ":" + block.getString("text");
          case "image" -> role + ":image " + block.getJsonObject("source").encode();
          case "tool_use" -> "use:" + block.getString("id") + ":" + block.getString("name") + ":" + block.getJsonObject("input").encode();
          case "tool_result" -> "result:" + block.getString("tool_use_id") + ":" + block.getValue("content");
          default -> throw new AssertionError(block.encode());
        });
      }
    }
    return items;
  }

  @Test
  void anthropicRequestsSurviveChatAndBack() {
    Random r = new Random(12);
    for (int round = 0; round < 3000; round++) {
      JsonObject anthropic = randomAnthropic(r);
      JsonObject chat = MESSAGES_OVER_CHAT.request(anthropic);
      JsonObject back = CHAT_OVER_ANTHROPIC.request(chat);
      String why = anthropic.encodePrettily() + "\n=> " + chat.encodePrettily() + "\n=> " + back.encodePrettily();
      assertThat(anthropicItems(back)).as(why).isEqualTo(anthropicItems(anthropic));
      for (String field : List.of("max_tokens", "temperature", "stop_sequences", "metadata", "tools", "tool_choice")) {
        assertThat(back.getValue(field)).as(field + ": " + why).isEqualTo(anthropic.getValue(field));
      }
    }
  }

  // ---- answers and streams -------------------------------------------------------------------

  static final String[] STOPS = {"end_turn", "max_tokens", "tool_use", "stop_sequence"};

  /** A random Anthropic answer's blocks: text and tool_use, in any order. */
  static JsonArray randomBlocks(Random r) {
    JsonArray blocks = new JsonArray();
    for (int b = r.nextInt(4); b >= 0; b--) {
      blocks.add(r.nextBoolean() ? new JsonObject().put("type", "text").put("text", text(r))
          : new JsonObject().put("type", "tool_use").put("id", "toolu_" + b).put("name", "fn" + r.nextInt(3)).put("input", args(r)));
    }
    return blocks;
  }

  /** What a chat answer can carry of the blocks: all the text (joined), then the tool calls. */
  static List<String> answerItems(JsonArray blocks) {
    StringBuilder text = new StringBuilder();
    List<String> calls = new ArrayList<>();
    for (Object b : blocks) {
      JsonObject block = (JsonObject) b;
      if (block.getString("type").equals("text")) {
        text.append(block.getString("text"));
      } else {
        calls.add(block.getString("id") + ":" + block.getString("name") + ":" + block.getJsonObject("input").encode());
      }
    }
    List<String> items = new ArrayList<>();
    if (!text.isEmpty()) {
      items.add("text:" + text);
    }
    items.addAll(calls);
    return items;
  }

  static String roundTripStop(String stop) {
    return MessagesOverChat.stopReason(ChatOverAnthropic.finishReason(stop));
  }

  @Test
  void anthropicAnswersSurviveChatAndBack() {
    Random r = new Random(13);
    for (int round = 0; round < 3000; round++) {
      JsonArray blocks = randomBlocks(r);
      String stop = STOPS[r.nextInt(STOPS.length)];
      JsonObject answer = new JsonObject().put("id", "msg_" + round).put("type", "message").put("role", "assistant").put("model", "c")
          .put("content", blocks).put("stop_reason", stop).putNull("stop_sequence")
          .put("usage", new JsonObject().put("input_tokens", r.nextInt(100)).put("output_tokens", r.nextInt(100))
              .put("cache_read_input_tokens", r.nextInt(50)).put("cache_creation_input_tokens", 0));
      JsonObject chat = CHAT_OVER_ANTHROPIC.response(answer, new JsonObject());
      JsonObject back = MESSAGES_OVER_CHAT.response(chat, new JsonObject());
      String why = answer.encodePrettily() + "\n=> " + chat.encodePrettily() + "\n=> " + back.encodePrettily();
      assertThat(answerItems(back.getJsonArray("content"))).as(why).isEqualTo(answerItems(blocks));
      assertThat(back.getString("stop_reason")).isEqualTo(roundTripStop(stop));
      assertThat(back.getJsonObject("usage")).as(why).isEqualTo(answer.getJsonObject("usage"));
      assertThat(back.getString("id")).isEqualTo(answer.getString("id"));
      JsonObject usage = chat.getJsonObject("usage");
      assertThat(usage.getLong("prompt_tokens")).isEqualTo(answer.getJsonObject("usage").getLong("input_tokens")
          + answer.getJsonObject("usage").getLong("cache_read_input_tokens"));
    }
  }

  static SseEvent named(String type, JsonObject data) {
    return new SseEvent(List.of(new SseField("event", type), SseField.data(data.put("type", type).encode())));
  }

  /** A text in 1 to 4 random pieces (surrogate pairs kept whole). */
  static List<String> split(String s, Random r) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int n = Math.min(s.length() - i, 1 + r.nextInt(Math.max(1, s.length() / 2)));
      if (Character.isHighSurrogate(s.charAt(i + n - 1)) && i + n < s.length()) {
        n++;
      }
      out.add(s.substring(i, i + n));
      i += n;
    }
    return out;
  }

  static List<SseEvent> anthropicStream(JsonArray blocks, String stop, long input, long output, Random r) {
    List<SseEvent> events = new ArrayList<>();
    events.add(named("message_start", new JsonObject().put("message", new JsonObject().put("id", "msg_s").put("type", "message")
        .put("role", "assistant").put("model", "c").put("content", new JsonArray())
        .put("usage", new JsonObject().put("input_tokens", input).put("output_tokens", 1)))));
    for (int i = 0; i < blocks.size(); i++) {
      JsonObject block = blocks.getJsonObject(i);
      boolean text = block.getString("type").equals("text");
      events.add(named("content_block_start", new JsonObject().put("index", i).put("content_block", text
          ? new JsonObject().put("type", "text").put("text", "")
          : block.copy().put("input", new JsonObject()))));
      if (r.nextInt(4) == 0) {
        events.add(named("ping", new JsonObject()));
      }
      for (String piece : split(text ? block.getString("text") : block.getJsonObject("input").encode(), r)) {
        events.add(named("content_block_delta", new JsonObject().put("index", i).put("delta", text
            ? new JsonObject().put("type", "text_delta").put("text", piece)
            : new JsonObject().put("type", "input_json_delta").put("partial_json", piece))));
      }
      events.add(named("content_block_stop", new JsonObject().put("index", i)));
    }
    events.add(named("message_delta", new JsonObject().put("delta", new JsonObject().put("stop_reason", stop).putNull("stop_sequence"))
        .put("usage", new JsonObject().put("output_tokens", output))));
    events.add(named("message_stop", new JsonObject()));
    return events;
  }

  static List<SseEvent> translate(EventTranslator translator, List<SseEvent> events) {
    List<SseEvent> out = new ArrayList<>();
    for (SseEvent e : events) {
      assertThat(translator.onEvent(e, out::add)).as(e.toString()).isTrue();
    }
    translator.onEnd(out::add);
    return out;
  }

  /** The blocks an Anthropic client assembles from a stream (text and tool_use, input parsed at the end). */
  static JsonArray assemble(List<SseEvent> events) {
    JsonArray blocks = new JsonArray();
    List<StringBuilder> json = new ArrayList<>();
    int open = -1;
    for (SseEvent e : events) {
      JsonObject data = new JsonObject(e.data());
      assertThat(data.getString("type")).isEqualTo(e.type());
      switch (e.type()) {
        case "content_block_start" -> {
          assertThat(open).as("a block opens while another is open").isEqualTo(-1);
          open = data.getInteger("index");
          assertThat(open).isEqualTo(blocks.size());
          blocks.add(data.getJsonObject("content_block").copy());
          json.add(new StringBuilder());
        }
        case "content_block_delta" -> {
          assertThat(data.getInteger("index")).isEqualTo(open);
          JsonObject delta = data.getJsonObject("delta");
          if (delta.getString("type").equals("text_delta")) {
            JsonObject b = blocks.getJsonObject(open);
            b.put("text", b.getString("text") + delta.getString("text"));
          } else {
            json.get(open).append(delta.getString("partial_json"));
          }
        }
        case "content_block_stop" -> {
          assertThat(data.getInteger("index")).isEqualTo(open);
          JsonObject b = blocks.getJsonObject(open);
          if (b.getString("type").equals("tool_use")) {
            b.put("input", json.get(open).isEmpty() ? new JsonObject() : new JsonObject(json.get(open).toString()));
          }
          open = -1;
        }
        default -> { }
      }
    }
    return blocks;
  }

  @Test
  void anthropicStreamsSurviveChatChunksAndBack() {
    Random r = new Random(14);
    JsonObject request = new JsonObject().put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    for (int round = 0; round < 2000; round++) {
      JsonArray blocks = randomBlocks(r);
      String stop = STOPS[r.nextInt(STOPS.length)];
      long input = r.nextInt(1000);
      long output = r.nextInt(1000);
      List<SseEvent> chat = translate(CHAT_OVER_ANTHROPIC.stream(request, false), anthropicStream(blocks, stop, input, output, r));
      List<SseEvent> back = translate(MESSAGES_OVER_CHAT.stream(new JsonObject(), false), chat);
      String why = blocks.encodePrettily() + "\n=> " + chat + "\n=> " + back;
      assertThat(back.stream().map(SseEvent::type).toList()).as(why).startsWith("message_start").endsWith("message_delta", "message_stop");
      assertThat(answerItems(assemble(back))).as(why).isEqualTo(answerItems(blocks));
      JsonObject delta = new JsonObject(back.get(back.size() - 2).data());
      assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo(roundTripStop(stop));
      assertThat(delta.getJsonObject("usage").getLong("output_tokens")).isEqualTo(output);
      assertThat(delta.getJsonObject("usage").getLong("input_tokens")).isEqualTo(input);
      // the chat side is a well-formed chat stream: chunks, one finish, the usage chunk, [DONE]
      assertThat(chat.get(chat.size() - 1).isDone()).isTrue();
      assertThat(chat.stream().filter(e -> e.data().contains("\"finish_reason\":\"")).count()).isEqualTo(1);
    }
  }

  @Test
  void aTranslatedStreamRefusesEventsItDoesNotKnow() {
    for (SseEvent odd : List.of(SseEvent.ofData("not json"), named("brand_new_event", new JsonObject()),
        named("content_block_delta", new JsonObject().put("index", 0).put("delta", new JsonObject().put("type", "new_delta").put("x", "secret"))))) {
      assertThat(CHAT_OVER_ANTHROPIC.stream(new JsonObject(), false).onEvent(odd, e -> { })).as(odd.toString()).isFalse();
    }
    for (SseEvent odd : List.of(SseEvent.ofData("not json"), SseEvent.ofData("{\"output_text\":\"secret\"}"))) {
      assertThat(MESSAGES_OVER_CHAT.stream(new JsonObject(), false).onEvent(odd, e -> { })).as(odd.toString()).isFalse();
    }
  }
}
