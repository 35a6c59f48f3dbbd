package io.portcullis.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One member read by a streaming parse is exactly what the decoded tree holds, wherever it sits. */
class ResponseBodyTest {

  private static Object randomValue(Random rnd, int depth) {
    int kind = depth > 3 ? rnd.nextInt(4) : rnd.nextInt(6);
    return switch (kind) {
      case 0 -> rnd.nextInt();
      case 1 -> "s\"{}[],:\\u" + rnd.nextInt(1000) + "\n\u00e9\u4e2d";
      case 2 -> rnd.nextBoolean() ? null : rnd.nextDouble();
      case 3 -> rnd.nextBoolean();
      case 4 -> {
        JsonObject o = new JsonObject();
        for (int i = 0; i < rnd.nextInt(4); i++) {
          // a nested "usage" is not the answer's usage
          o.put(rnd.nextInt(3) == 0 ? "usage" : "k" + i, randomValue(rnd, depth + 1));
        }
        yield o;
      }
      default -> {
        JsonArray a = new JsonArray();
        for (int i = 0; i < rnd.nextInt(4); i++) {
          a.add(randomValue(rnd, depth + 1));
        }
        yield a;
      }
    };
  }

  @Test
  void theStreamingReadAgreesWithTheTreeOnRandomBodies() {
    Random rnd = new Random(16);
    for (int round = 0; round < 2_000; round++) {
      List<String> keys = new ArrayList<>(List.of("id", "choices", "model", "object", "x" + round));
      int withUsage = rnd.nextInt(3); // none, an object, something else
      if (withUsage > 0) {
        keys.add("usage");
      }
      Collections.shuffle(keys, rnd);
      JsonObject body = new JsonObject();
      for (String k : keys) {
        body.put(k, k.equals("usage") && withUsage == 1
            ? new JsonObject().put("prompt_tokens", rnd.nextInt(1000)).put("completion_tokens", rnd.nextInt(1000))
                .put("details", randomValue(rnd, 2))
            : randomValue(rnd, 1));
      }
      Buffer bytes = body.toBuffer();
      JsonObject fromTree = body.getValue("usage") instanceof JsonObject u ? u : null;

      ResponseBody streamed = new ResponseBody(200, bytes);
      assertThat(streamed.member("usage")).as("round %d: %s", round, body).isEqualTo(fromTree);
      assertThat(streamed.bytes()).as("the bytes pass untouched").isSameAs(bytes);

      ResponseBody tree = new ResponseBody(200, bytes);
      tree.wantTree();
      assertThat(tree.member("usage")).isEqualTo(fromTree);
    }
  }

  @Test
  void aBodyThatIsNotAJsonObjectHasNoMembers() {
    for (String raw : List.of("", "not json", "[{\"usage\":{\"a\":1}}]", "\"usage\"", "{\"usage\":{\"a\":1", "{\"usage\":[1]}",
        "{\"a\":{\"usage\":{\"b\":2}}}", "{\"usage\": 5}")) {
      assertThat(new ResponseBody(200, Buffer.buffer(raw)).member("usage")).as(raw).isNull();
    }
    // a truncated body after a complete usage member: what was read is what the provider said
    assertThat(new ResponseBody(200, Buffer.buffer("{\"usage\":{\"a\":1},\"choices\":[")).member("usage"))
        .isEqualTo(new JsonObject().put("a", 1));
  }
}
