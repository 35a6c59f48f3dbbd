package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official SDKs as clients: OpenAI's Java SDK ({@code chat.completions}, {@code responses},
 * {@code embeddings}, plain and streamed through its own accumulators) and Anthropic's
 * ({@code messages}, plain and streamed), each against every provider type behind the gateway. Their
 * parsers decide whether what the gateway relays or translates is what their users' code expects.
 */
class SdkTest {

  static GatewayFixture f;
  static OpenAIClient openai;
  static AnthropicClient anthropic;

  /** One model per provider type (and the OpenAI provider that serves the Responses API itself). */
  static final List<String> MODELS = List.of("via-openai", "via-openai-native", "via-anthropic", "via-gemini");

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("""
        server: {host: 127.0.0.1, port: 0, instances: 1}
        admin: {enabled: false}
        providers:
          - {name: openai, type: openai, base_url: "${MOCK_URL}"}
          - {name: openai-native, type: openai, base_url: "${MOCK_URL}", responses_api: true}
          - {name: anthropic, type: anthropic, base_url: "${MOCK_URL}"}
          - {name: gemini, type: gemini, base_url: "${MOCK_URL}"}
        models:
          - {name: via-openai, targets: [{provider: openai, model: up}]}
          - {name: via-openai-native, targets: [{provider: openai-native, model: up}]}
          - {name: via-anthropic, targets: [{provider: anthropic, model: up}]}
          - {name: via-gemini, targets: [{provider: gemini, model: up}]}
          - {name: broken-anthropic, targets: [{provider: anthropic, model: "up@abort_after=3;tokens=20"}]}
          - {name: embed-openai, endpoints: [embeddings], targets: [{provider: openai, model: e}]}
          - {name: embed-gemini, endpoints: [embeddings], targets: [{provider: gemini, model: e}]}
        """);
    String root = "http://127.0.0.1:" + f.gateway.port();
    openai = OpenAIOkHttpClient.builder().baseUrl(root + "/v1").apiKey("unused-gateway-key").maxRetries(0).build();
    anthropic = AnthropicOkHttpClient.builder().baseUrl(root).apiKey("unused-gateway-key").maxRetries(0).build();
  }

  @AfterAll
  static void stop() throws Exception {
    openai.close();
    anthropic.close();
    f.close();
  }

  static final String TEXT = "the same words, ünïcødé 日本";

  @Test
  void openAiChatCompletionsAgainstEveryProviderType() {
    for (String model : MODELS) {
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(model).addUserMessage("/echo " + TEXT)
          .maxCompletionTokens(100).build();
      ChatCompletion whole = openai.chat().completions().create(params);
      assertThat(whole.choices().get(0).message().content()).as(model).hasValue(TEXT);
      assertThat(whole.choices().get(0).finishReason().toString()).isEqualTo("stop");
      assertThat(whole.usage().orElseThrow().completionTokens()).isPositive();

      ChatCompletionCreateParams streamed = params.toBuilder()
          .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
      ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
      try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(streamed)) {
        stream.stream().forEach(acc::accumulate);
      }
      ChatCompletion assembled = acc.chatCompletion();
      assertThat(assembled.choices().get(0).message().content()).as(model).hasValue(TEXT);
      assertThat(assembled.choices().get(0).finishReason().toString()).isEqualTo("stop");
      assertThat(assembled.usage().orElseThrow().completionTokens()).as(model).isPositive();
    }
  }

  static String outputText(Response response) {
    return response.output().stream().filter(ResponseOutputItem::isMessage)
        .flatMap(item -> item.asMessage().content().stream())
        .map(content -> content.asOutputText().text()).collect(Collectors.joining());
  }

  @Test
  void openAiResponsesAgainstEveryProviderType() {
    for (String model : MODELS) {
      ResponseCreateParams params = ResponseCreateParams.builder().model(model).instructions("be brief").input("/echo " + TEXT)
          .maxOutputTokens(100).build();
      Response whole = openai.responses().create(params);
      assertThat(outputText(whole)).as(model).isEqualTo(TEXT);
      assertThat(whole.usage().orElseThrow().outputTokens()).isPositive();

      ResponseAccumulator acc = ResponseAccumulator.create();
      StringBuilder deltas = new StringBuilder();
      try (StreamResponse<ResponseStreamEvent> stream = openai.responses().createStreaming(params)) {
        stream.stream().forEach(event -> {
          acc.accumulate(event);
          event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
        });
      }
      assertThat(deltas.toString()).as(model).isEqualTo(TEXT);
      Response assembled = acc.response();
      assertThat(outputText(assembled)).as(model).isEqualTo(TEXT);
      assertThat(assembled.usage().orElseThrow().outputTokens()).as(model).isPositive();
    }
  }

  @Test
  void openAiEmbeddingsFromOpenAiAndGemini() {
    for (String model : List.of("embed-openai", "embed-gemini")) {
      CreateEmbeddingResponse res = openai.embeddings().create(EmbeddingCreateParams.builder().model(model)
          .inputOfArrayOfStrings(List.of("a b", "c")).build());
      assertThat(res.data()).as(model).hasSize(2);
      assertThat(res.data().get(0).embedding()).as(model).isNotEmpty();
    }
  }

  static String text(Message message) {
    return message.content().stream().filter(ContentBlock::isText).map(b -> b.asText().text()).collect(Collectors.joining());
  }

  @Test
  void anthropicMessagesAgainstEveryProviderType() {
    for (String model : MODELS) {
      MessageCreateParams params = MessageCreateParams.builder().model(model).maxTokens(100).system("be brief")
          .addUserMessage("/echo " + TEXT).build();
      Message whole = anthropic.messages().create(params);
      assertThat(text(whole)).as(model).isEqualTo(TEXT);
      assertThat(whole.stopReason().orElseThrow().toString()).isEqualTo("end_turn");
      assertThat(whole.usage().outputTokens()).isPositive();

      MessageAccumulator acc = MessageAccumulator.create();
      try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(params)) {
        stream.stream().forEach(acc::accumulate);
      }
      Message assembled = acc.message();
      assertThat(text(assembled)).as(model).isEqualTo(TEXT);
      assertThat(assembled.stopReason().orElseThrow().toString()).as(model).isEqualTo("end_turn");
      assertThat(assembled.usage().outputTokens()).as(model).isPositive();
    }
  }

  @Test
  void aStreamThatBreaksRaisesInEachSdk() {
    assertThatThrownBy(() -> {
      try (var stream = openai.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
          .model("broken-anthropic").addUserMessage("hi").build())) {
        stream.stream().forEach(chunk -> { });
      }
    }).hasMessageContaining("mid-response");
    assertThatThrownBy(() -> {
      try (var stream = anthropic.messages().createStreaming(MessageCreateParams.builder().model("broken-anthropic")
          .maxTokens(100).addUserMessage("hi").build())) {
        stream.stream().forEach(event -> { });
      }
    }).hasMessageContaining("mid-response");
  }
}
