package io.portcullis.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlainDeltaTest {

  static final String PLAIN = """
      {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp",\
      "choices":[{"index":2,"delta":{"content":"he said \\"hi\\" \\u0040 caf\\u00e9 \\ud83d\\ude00"},"logprobs":null,"finish_reason":null}],\
      "usage":null}""";

  @Test
  void findsTheContentOfAPlainDelta() {
    PlainDelta d = PlainDelta.of(PLAIN);
    assertThat(d).isNotNull();
    assertThat(d.index()).isEqualTo(2);
    assertThat(d.content()).isEqualTo("he said \"hi\" @ café \uD83D\uDE00");
    assertThat(d.with(d.content()).length()).isPositive();
    assertThat(new JsonObject(d.with(d.content()))).isEqualTo(new JsonObject(PLAIN));
  }

  @Test
  void leavesEveryOtherShapeToTheGeneralPath() {
    String[] others = {
        PLAIN.replace("\"finish_reason\":null", "\"finish_reason\":\"stop\""),
        PLAIN.replace("\"logprobs\":null", "\"delta2\":1").replace("\"content\":", "\"tool_calls\":[],\"content\":"),
        PLAIN.replace("\"choices\":[{", "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}},{"),
        PLAIN.replace("\"choices\":[{\"index\":2,", "\"choices\":[{\"index\":\"2\","),
        PLAIN.replace("\"content\":\"he", "\"content\":null,\"x\":\"he"),
        "{\"choices\":[]}",
        "{\"id\":\"x\"}",
        "[1,2]",
        PLAIN.substring(0, PLAIN.length() - 1),
        PLAIN + " {}",
        "not json"};
    for (String other : others) {
      assertThat(PlainDelta.of(other)).as(other).isNull();
    }
  }

  @Test
  void splicedTextEqualsTheTreeRewrite() {
    // any replacement text, with quotes, escapes, controls and non-ASCII, lands exactly where
    // the content was: the result is the same JSON as rewriting the tree
    Random random = new Random(5);
    String alphabet = "ab \"\\/\n\t\u0001é日\uD83D\uDE00@{}[],:";
    for (int round = 0; round < 2000; round++) {
      StringBuilder text = new StringBuilder();
      for (int k = random.nextInt(12); k > 0; k--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String replacement = text.toString();
      if (replacement.indexOf('\uD83D') >= 0 && replacement.indexOf('\uDE00') != replacement.indexOf('\uD83D') + 1) {
        continue; // lone surrogates are not text
      }
      JsonObject expected = new JsonObject(PLAIN);
      expected.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").put("content", replacement);
      assertThat(new JsonObject(PlainDelta.of(PLAIN).with(replacement))).isEqualTo(expected);
    }
  }
}
