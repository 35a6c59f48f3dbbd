package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The access log's hand-written JSON: any string a field can carry comes back intact from a JSON parser. */
class AccessLogTest {

  @Test
  void everyStringSurvivesTheRoundTrip() {
    Random r = new Random(3);
    char[] interesting = {'"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u2028', '\u2029', 'é', '€', '\uD83D', '\uDE00', '/', '<'};
    for (int i = 0; i < 5000; i++) {
      StringBuilder value = new StringBuilder();
      int n = r.nextInt(20);
      for (int k = 0; k < n; k++) {
        value.append(r.nextBoolean() ? interesting[r.nextInt(interesting.length)] : (char) (32 + r.nextInt(95)));
      }
      StringBuilder line = new StringBuilder("{");
      AccessLog.field(line, "principal", value.toString());
      AccessLog.field(line, "model", "m");
      String json = line.append('}').toString();
      assertThat(json).doesNotContain("\n").doesNotContain("\r");
      assertThat(new JsonObject(json).getString("principal")).as(json).isEqualTo(value.toString());
    }
  }
}
