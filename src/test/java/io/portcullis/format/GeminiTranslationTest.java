package io.portcullis.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.sse.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Chat completions over Gemini on random requests, answers and streams: the request keeps every
 * turn, part, call and result in order (or is refused for what Gemini cannot take), and a streamed
 * answer assembles to exactly what the same answer translated whole says.
 */
class GeminiTranslationTest {

  static final Translation CHAT_OVER_GEMINI = Translation.between(WireFormat.OPENAI_CHAT, UpstreamFormat.GEMINI_GENERATE);

  /** A chat conversation as a flat list of what it says (system text apart, roles as Gemini names them). */
  static List<String> chatItems(JsonObject body) {
    List<String> items = new ArrayList<>();
    java.util.Map<String, String> names = new java.util.HashMap<>();
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      if (role.equals("system") || role.equals("developer")) {
        continue;
      }
      Object content = m.getValue("content");
      String who = role.equals("assistant") ? "model" : "user";
      if (role.equals("tool")) {
        String result = (String) content;
        try {
          result = new JsonObject(result).encode(); // a JSON object goes as the response itself (its spacing is not kept)
        } catch (RuntimeException notAnObject) {
          // text goes as {"content": text}
        }
        items.add("user:result " + names.get(m.getString("tool_call_id")) + " " + result);
        continue;
      }
      if (content instanceof String s && !s.isEmpty()) {
        items.add(who + ":" + s);
      } else if (content instanceof JsonArray parts) {
        for (Object p : parts) {
          JsonObject part = (JsonObject) p;
          items.add(who + ":" + (part.getString("type").equals("text") ? part.getString("text")
              : "image " + part.getJsonObject("image_url").getString("url").replaceFirst("^data:([^;]+);base64,", "$1 ")));
        }
      }
      if (m.getValue("tool_calls") instanceof JsonArray calls) {
        for (Object c : calls) {
          JsonObject fn = ((JsonObject) c).getJsonObject("function");
          names.put(((JsonObject) c).getString("id"), fn.getString("name"));
          items.add(who + ":call " + fn.getString("name") + " " + new JsonObject(fn.getString("arguments")).encode());
        }
      }
    }
    return items;
  }

  static List<String> geminiItems(JsonObject body) {
    List<String> items = new ArrayList<>();
    String previous = null;
    for (Object o : body.getJsonArray("contents")) {
      JsonObject content = (JsonObject) o;
      String role = content.getString("role");
      assertThat(role).isIn("user", "model").isNotEqualTo(previous); // turns alternate
      previous = role;
      for (Object p : content.getJsonArray("parts")) {
        JsonObject part = (JsonObject) p;
        if (part.getValue("text") != null) {
          items.add(role + ":" + part.getString("text"));
        } else if (part.getValue("inlineData") instanceof JsonObject d) {
          items.add(role + ":image " + d.getString("mimeType") + " " + d.getString("data"));
        } else if (part.getValue("functionCall") instanceof JsonObject fc) {
          items.add(role + ":call " + fc.getString("name") + " " + fc.getJsonObject("args").encode());
        } else {
          JsonObject fr = part.getJsonObject("functionResponse");
          JsonObject response = fr.getJsonObject("response");
          items.add(role + ":result " + fr.getString("name") + " " + (response.size() == 1 && response.getValue("content") instanceof String s ? s : response.encode()));
        }
      }
    }
    return items;
  }

  @Test
  void chatRequestsKeepEveryTurnPartCallAndResult() {
    Random r = new Random(21);
    int translated = 0;
    for (int round = 0; round < 3000; round++) {
      JsonObject chat = TranslationRoundTripTest.randomChat(r);
      boolean httpImage = chat.encode().contains("\"url\":\"https://");
      boolean serial = Boolean.FALSE.equals(chat.getValue("parallel_tool_calls"));
      if (httpImage || serial) {
        assertThatThrownBy(() -> CHAT_OVER_GEMINI.request(chat)).isInstanceOf(Untranslatable.class);
        continue;
      }
      JsonObject gemini = CHAT_OVER_GEMINI.request(chat);
      translated++;
      String why = chat.encodePrettily() + "\n=> " + gemini.encodePrettily();
      assertThat(geminiItems(gemini)).as(why).isEqualTo(chatItems(chat));
      assertThat(gemini.fieldNames()).as(why).isSubsetOf("contents", "systemInstruction", "generationConfig", "tools", "toolConfig");
      JsonObject config = gemini.getJsonObject("generationConfig", new JsonObject());
      assertThat(config.getValue("maxOutputTokens")).isEqualTo(chat.getValue("max_tokens"));
      assertThat(config.getValue("temperature")).isEqualTo(chat.getValue("temperature"));
      assertThat(config.getValue("topP")).isEqualTo(chat.getValue("top_p"));
      Object stop = chat.getValue("stop") instanceof String s ? new JsonArray().add(s) : chat.getValue("stop");
      assertThat(config.getValue("stopSequences")).isEqualTo(stop);
      if (chat.getValue("tools") instanceof JsonArray tools) {
        JsonArray declarations = gemini.getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations");
        assertThat(declarations).hasSize(tools.size());
        for (int i = 0; i < tools.size(); i++) {
          JsonObject fn = tools.getJsonObject(i).getJsonObject("function");
          assertThat(declarations.getJsonObject(i)).isEqualTo(new JsonObject().put("name", fn.getString("name"))
              .put("description", fn.getString("description")).put("parametersJsonSchema", fn.getJsonObject("parameters")));
        }
      }
    }
    assertThat(translated).isGreaterThan(1000);
  }

  static final String[] FINISHES = {"STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "OTHER"};

  /** A random answer's parts: text pieces, thoughts and function calls. */
  static JsonArray randomParts(Random r) {
    JsonArray parts = new JsonArray();
    for (int i = r.nextInt(6); i >= 0; i--) {
      switch (r.nextInt(4)) {
        case 0 -> parts.add(new JsonObject().put("functionCall", new JsonObject().put("name", "fn" + r.nextInt(3)).put("args", TranslationRoundTripTest.args(r))));
        case 1 -> parts.add(new JsonObject().put("text", TranslationRoundTripTest.text(r)).put("thought", true));
        default -> parts.add(new JsonObject().put("text", TranslationRoundTripTest.text(r)));
      }
    }
    return parts;
  }

  static JsonObject chunk(JsonArray parts, String finish, JsonObject usage) {
    JsonObject candidate = new JsonObject().put("content", new JsonObject().put("role", "model").put("parts", parts)).put("index", 0);
    if (finish != null) {
      candidate.put("finishReason", finish);
    }
    JsonObject c = new JsonObject().put("candidates", new JsonArray().add(candidate)).put("modelVersion", "g").put("responseId", "r");
    return usage == null ? c : c.put("usageMetadata", usage);
  }

  @Test
  void aStreamedAnswerAssemblesToTheWholeAnswer() {
    Random r = new Random(22);
    JsonObject request = new JsonObject().put("stream_options", new JsonObject().put("include_usage", true));
    for (int round = 0; round < 3000; round++) {
      JsonArray parts = randomParts(r);
      String finish = FINISHES[r.nextInt(FINISHES.length)];
      JsonObject usage = new JsonObject().put("promptTokenCount", r.nextInt(100)).put("candidatesTokenCount", r.nextInt(100))
          .put("thoughtsTokenCount", r.nextInt(20)).put("cachedContentTokenCount", r.nextInt(10));
      JsonObject whole = CHAT_OVER_GEMINI.response(chunk(parts, finish, usage), request);
      // the same parts over chunks of 0 to 3 parts each; the last has the finish reason and the usage
      List<SseEvent> upstream = new ArrayList<>();
      int i = 0;
      while (i < parts.size()) {
        int n = Math.min(parts.size() - i, r.nextInt(4));
        JsonArray some = new JsonArray();
        for (int k = 0; k < n; k++) {
          some.add(parts.getValue(i + k));
        }
        i += n;
        upstream.add(SseEvent.ofData(chunk(some, null, null).encode()));
      }
      upstream.add(SseEvent.ofData(chunk(new JsonArray(), finish, usage).encode()));
      EventTranslator events = CHAT_OVER_GEMINI.stream(request, false);
      List<SseEvent> out = new ArrayList<>();
      for (SseEvent e : upstream) {
        assertThat(events.onEvent(e, out::add)).isTrue();
      }
      events.onEnd(out::add);
      StringBuilder text = new StringBuilder();
      JsonArray calls = new JsonArray();
      String streamedFinish = null;
      JsonObject streamedUsage = null;
      assertThat(out.get(out.size() - 1).isDone()).isTrue();
      for (SseEvent e : out.subList(0, out.size() - 1)) {
        JsonObject c = new JsonObject(e.data());
        if (c.getJsonArray("choices").isEmpty()) {
          streamedUsage = c.getJsonObject("usage");
          continue;
        }
        JsonObject choice = c.getJsonArray("choices").getJsonObject(0);
        text.append(choice.getJsonObject("delta").getString("content", ""));
        JsonArray tc = choice.getJsonObject("delta").getJsonArray("tool_calls");
        if (tc != null) {
          JsonObject call = tc.getJsonObject(0).copy();
          assertThat(call.remove("index")).isEqualTo(calls.size());
          calls.add(call);
        }
        streamedFinish = choice.getString("finish_reason") != null ? choice.getString("finish_reason") : streamedFinish;
      }
      JsonObject message = whole.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
      String why = parts.encodePrettily();
      assertThat(text.toString()).as(why).isEqualTo(message.getString("content") == null ? "" : message.getString("content"));
      assertThat(calls).as(why).isEqualTo(message.getJsonArray("tool_calls", new JsonArray()));
      assertThat(streamedFinish).isEqualTo(whole.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
      assertThat(streamedUsage).isEqualTo(whole.getJsonObject("usage"));
      assertThat(streamedUsage.getLong("completion_tokens")).isEqualTo(usage.getLong("candidatesTokenCount") + usage.getLong("thoughtsTokenCount"));
    }
  }

  @Test
  void whatGeminiCannotTakeIsRefused() {
    JsonObject base = new JsonObject().put("model", "m").put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x")));
    for (JsonObject refused : List.of(base.copy().put("n", 2), base.copy().put("logprobs", true), base.copy().put("parallel_tool_calls", false),
        base.copy().put("tools", new JsonArray().add(new JsonObject().put("type", "custom"))))) {
      assertThatThrownBy(() -> CHAT_OVER_GEMINI.request(refused)).as(refused.encode()).isInstanceOf(Untranslatable.class);
    }
  }
}
