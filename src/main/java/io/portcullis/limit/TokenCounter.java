package io.portcullis.limit;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.portcullis.forward.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Counts the prompt tokens of a request with a real tokenizer (jtokkit, {@code o200k_base}, the
 * encoding of current OpenAI models; for other models it is an estimate that settlement corrects).
 * The encoding is loaded once, when this class is first used: {@code Gateway} touches it at start,
 * on the starting thread, not on an event loop.
 */
public final class TokenCounter {

  private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  /** Per message: role and framing tokens of the chat format. */
  private static final int PER_MESSAGE = 4;

  private TokenCounter() {}

  /** Loads the encoding now. */
  public static void load() {
    ENCODING.countTokens("warm");
  }

  public static int count(String text) {
    return text == null || text.isEmpty() ? 0 : ENCODING.countTokens(text);
  }

  /** The prompt's tokens: every text the request sends to the model. */
  public static long prompt(Endpoint endpoint, JsonObject body) {
    if (endpoint == Endpoint.EMBEDDINGS) {
      Object input = body.getValue("input");
      if (input instanceof String s) {
        return count(s);
      }
      long n = 0;
      if (input instanceof JsonArray list) {
        for (Object item : list) {
          n += item instanceof String s ? count(s) : item instanceof JsonArray ids ? ids.size() : 0;
        }
      }
      return n;
    }
    long n = 3 + content(body.getValue("system"));
    if (body.getValue("messages") instanceof JsonArray messages) {
      for (Object m : messages) {
        if (m instanceof JsonObject message) {
          n += PER_MESSAGE + content(message.getValue("content"));
          if (message.getValue("tool_calls") instanceof JsonArray calls) {
            n += count(calls.encode());
          }
        }
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += count(tools.encode());
    }
    return n;
  }

  /** A string, or a list of parts whose {@code text} counts (images and other parts are not text). */
  private static long content(Object content) {
    if (content instanceof String s) {
      return count(s);
    }
    long n = 0;
    if (content instanceof JsonArray parts) {
      for (Object p : parts) {
        if (p instanceof JsonObject part && part.getValue("text") instanceof String text) {
          n += count(text);
        } else if (p instanceof String s) {
          n += count(s);
        }
      }
    }
    return n;
  }

  /** The completion tokens the request may use: its own bound, or the policy's default. */
  public static long maxCompletion(Endpoint endpoint, JsonObject body, int fallback) {
    if (endpoint == Endpoint.EMBEDDINGS) {
      return 0;
    }
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      if (body.getValue(field) instanceof Number n && n.longValue() > 0) {
        return n.longValue() * Math.max(1, body.getValue("n") instanceof Number c ? c.intValue() : 1);
      }
    }
    return fallback;
  }
}
