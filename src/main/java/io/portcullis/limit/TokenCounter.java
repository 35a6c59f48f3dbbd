package io.portcullis.limit;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.portcullis.format.WireFormat;
import io.vertx.core.json.JsonObject;

/**
 * Counts the prompt tokens of a request with a real tokenizer (jtokkit, {@code o200k_base}, the
 * encoding of current OpenAI models; for other models it is an estimate that settlement corrects).
 * The encoding is loaded once, when this class is first used: {@code Gateway} touches it at start,
 * on the starting thread, not on an event loop.
 */
public final class TokenCounter {

  private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  private TokenCounter() {}

  /** Loads the encoding now. */
  public static void load() {
    ENCODING.countTokens("warm");
  }

  public static int count(String text) {
    return text == null || text.isEmpty() ? 0 : ENCODING.countTokens(text);
  }

  /** The prompt's tokens: every text the request sends to the model, as its format finds them. */
  public static long prompt(WireFormat format, JsonObject body) {
    return format.promptTokens(body, TokenCounter::count);
  }
}
