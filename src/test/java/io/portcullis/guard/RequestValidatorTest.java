package io.portcullis.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.GuardConfig;
import io.portcullis.format.Violation;
import io.portcullis.ingress.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One row per validation rule, and random bodies that must never make the validator throw. */
class RequestValidatorTest {

  static final GuardConfig.Validation RULES = new GuardConfig.Validation(4, 50, 120, 1000, 2, 3, GuardConfig.UnknownFields.PASS, Set.of("logit_bias"));

  record Row(Endpoint endpoint, String body, String code, String message) {}

  static final String OK_MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  static final List<Row> ROWS = List.of(
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + "}", null, null),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[1,2,3,4,5]}", "too_many_messages", "messages: more than 4 messages"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},7]}", "invalid_message",
          "messages[1]: must be an object"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "invalid_role",
          "messages[0].role: must be one of system, developer, user, assistant, tool"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}", "invalid_content", "messages[0].content: is required"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}]}", null, null),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"no type\"}]}]}",
          "invalid_content", "messages[0].content: must be a string or an array of content parts with a type"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(51) + "\"}]}",
          "message_too_long", "messages[0].content: longer than 50 characters"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[" + ("{\"role\":\"user\",\"content\":\"" + "x".repeat(41) + "\"},").repeat(2)
          + "{\"role\":\"user\",\"content\":\"" + "x".repeat(41) + "\"}]}", "request_too_long", "messages: more than 120 characters in all"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"max_tokens\":1001}", "max_tokens_too_large",
          "max_tokens: more than 1000 is not allowed"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"max_completion_tokens\":0}", "invalid_max_completion_tokens",
          "max_completion_tokens: must be a positive integer"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"max_tokens\":\"10\"}", "invalid_max_tokens",
          "max_tokens: must be a positive integer"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"n\":3}", "invalid_n", "n: must be between 1 and 2"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"n\":1.5}", "invalid_n", "n: must be an integer"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"temperature\":2.5}", "invalid_temperature",
          "temperature: must be between 0 and 2"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"top_p\":-0.1}", "invalid_top_p", "top_p: must be between 0 and 1"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "invalid_stop",
          "stop: must be a string or an array of up to 4 strings"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"tools\":[\"x\"]}", "invalid_tools", "tools: must be an array of objects"),
      new Row(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"," + OK_MESSAGES + ",\"logit_bias\":{}}", "parameter_not_allowed",
          "logit_bias: not allowed for your role"),
      new Row(Endpoint.MESSAGES, "{\"model\":\"m\"," + OK_MESSAGES + ",\"max_tokens\":10}", null, null),
      new Row(Endpoint.MESSAGES, "{\"model\":\"m\"," + OK_MESSAGES + "}", "missing_max_tokens", "max_tokens: is required"),
      new Row(Endpoint.MESSAGES, "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}],\"max_tokens\":10}", "invalid_role",
          "messages[0].role: must be user or assistant"),
      new Row(Endpoint.MESSAGES, "{\"model\":\"m\",\"system\":5," + OK_MESSAGES + ",\"max_tokens\":10}", "invalid_system",
          "system: must be a string or an array of text blocks"),
      new Row(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[\"a\",\"b\"]}", null, null),
      new Row(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[\"a\",\"b\",\"c\",\"d\"]}", "too_many_inputs", "input: more than 3 inputs"),
      new Row(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[\"a\",{}]}", "invalid_input",
          "input[1]: must be a string, a token id or an array of token ids"),
      new Row(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[]}", "invalid_input", "input: must be a string or a non-empty array"),
      new Row(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"" + "y".repeat(51) + "\"}", "input_too_long", "input: longer than 50 characters"));

  @Test
  void eachRuleNamesItsField() {
    for (Row row : ROWS) {
      RequestValidator.Result r = RequestValidator.validate(row.endpoint().format(), row.endpoint().path(), new JsonObject(row.body()), RULES);
      if (row.code() == null) {
        assertThat(r.violation).as(row.body()).isNull();
      } else {
        assertThat(r.violation).as(row.body()).isNotNull();
        assertThat(r.violation.code()).as(row.body()).isEqualTo(row.code());
        assertThat(r.violation.text()).as(row.body()).isEqualTo(row.message());
      }
    }
  }

  @Test
  void unknownFieldsPassAreStrippedOrRejected() {
    String body = "{\"model\":\"m\"," + OK_MESSAGES + ",\"frobnicate\":1,\"temperature\":1}";
    JsonObject pass = new JsonObject(body);
    assertThat(RequestValidator.validate(Endpoint.CHAT_COMPLETIONS.format(), Endpoint.CHAT_COMPLETIONS.path(), pass, RULES).violation).isNull();
    assertThat(pass.containsKey("frobnicate")).isTrue();
    JsonObject strip = new JsonObject(body);
    assertThat(RequestValidator.validate(Endpoint.CHAT_COMPLETIONS.format(), Endpoint.CHAT_COMPLETIONS.path(), strip, withUnknown(GuardConfig.UnknownFields.STRIP)).violation).isNull();
    assertThat(strip.fieldNames()).containsExactlyInAnyOrder("model", "messages", "temperature");
    Violation v = RequestValidator.validate(Endpoint.CHAT_COMPLETIONS.format(), Endpoint.CHAT_COMPLETIONS.path(), new JsonObject(body), withUnknown(GuardConfig.UnknownFields.REJECT)).violation;
    assertThat(v.code()).isEqualTo("unknown_parameter");
    assertThat(v.text()).isEqualTo("frobnicate: not a parameter of /v1/chat/completions");
  }

  @Test
  void userAndToolTextIsCollectedForTheScreenAndNothingElse() {
    JsonObject body = new JsonObject("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"sys\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"u1\"}]},{\"role\":\"assistant\",\"content\":\"a\"},"
        + "{\"role\":\"tool\",\"content\":\"t1\",\"tool_call_id\":\"x\"}]}");
    assertThat(RequestValidator.validate(Endpoint.CHAT_COMPLETIONS.format(), Endpoint.CHAT_COMPLETIONS.path(), body, RULES).screened).containsExactly("u1", "t1");
  }

  static GuardConfig.Validation withUnknown(GuardConfig.UnknownFields policy) {
    return new GuardConfig.Validation(4, 50, 120, 1000, 2, 3, policy, Set.of());
  }

  @Test
  void randomAndMutatedBodiesNeverThrow() {
    Random r = new Random(11);
    Object[] values = {null, 0, -1, 1.5, "s", "", true, new JsonObject(), new JsonArray(), new JsonArray().add(1),
        new JsonObject().put("role", "user"), new JsonObject().put("role", "user").put("content", new JsonArray().add("x")),
        new JsonObject().put("type", 3), Long.MAX_VALUE, Double.NaN};
    String[] fields = {"messages", "input", "max_tokens", "max_completion_tokens", "n", "temperature", "top_p", "stop", "tools",
        "system", "role", "content", "logit_bias", "x"};
    for (int i = 0; i < 20_000; i++) {
      JsonObject body = new JsonObject().put("model", "m");
      JsonArray messages = new JsonArray();
      for (int k = r.nextInt(4); k >= 0; k--) {
        JsonObject m = new JsonObject();
        for (int f = r.nextInt(4); f > 0; f--) {
          m.put(fields[r.nextInt(fields.length)], values[r.nextInt(values.length)]);
        }
        messages.add(r.nextInt(5) == 0 ? values[r.nextInt(values.length)] : m);
      }
      body.put("messages", messages).put("input", r.nextBoolean() ? messages : values[r.nextInt(values.length)]);
      for (int f = r.nextInt(4); f > 0; f--) {
        body.put(fields[r.nextInt(fields.length)], values[r.nextInt(values.length)]);
      }
      if (!(body.getValue("messages") instanceof JsonArray a) || a.isEmpty()) {
        body.put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"))); // the parser's precondition
      }
      for (Endpoint e : Endpoint.values()) {
        if (e == Endpoint.EMBEDDINGS && body.getValue("input") == null) {
          continue;
        }
        RequestValidator.validate(e.format(), e.path(), body.copy(), RULES); // must not throw
      }
    }
  }
}
