package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The edge guards: what a request must be to cost anything.
 *
 * @param enabled run the guard stage (validation and injection screening); the parser's and the
 *     listener's edge limits, CORS and the security headers apply either way
 * @param validation the default request rules
 * @param injection the default prompt-injection action
 * @param roles per-role rules and actions (the first of a caller's roles, in config order, that has
 *     an entry applies, as for limits); resolved at load, every field filled in
 * @param edge size limits checked before or while a request is read
 * @param cors cross-origin rules
 */
public record GuardConfig(boolean enabled, Validation validation, Injection injection, Map<String, RoleGuards> roles, Edge edge, Cors cors) {

  /** What a top-level field the endpoint does not define does. */
  public enum UnknownFields { PASS, STRIP, REJECT }

  /** What a prompt-injection finding does. */
  public enum InjectionAction {
    BLOCK, FLAG, OFF;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The word in metrics and the access log. */
    public String label() {
      return label;
    }
  }

  public GuardConfig {
    roles = Map.copyOf(roles);
  }

  /**
   * @param maxMessages most messages in a chat or messages request
   * @param maxMessageChars most characters of text in one message
   * @param maxTotalChars most characters of text in the whole request
   * @param maxTokens the largest {@code max_tokens} / {@code max_completion_tokens} accepted
   * @param maxN the largest {@code n}
   * @param maxInputs most inputs of one embeddings request
   * @param unknownFields a top-level field the endpoint does not define: {@code pass} it on,
   *     {@code strip} it, or {@code reject} the request
   * @param forbidden top-level parameters refused (e.g. {@code logit_bias}, {@code tools})
   */
  public record Validation(int maxMessages, int maxMessageChars, int maxTotalChars, int maxTokens, int maxN, int maxInputs,
      UnknownFields unknownFields, Set<String> forbidden) {

    public Validation {
      forbidden = Set.copyOf(forbidden);
    }
  }

  /**
   * @param action {@code block} (400 naming the category), {@code flag} (forward; counted and logged), {@code off}
   * @param threshold the score (sum of the weights of the categories found) at which the action applies
   */
  public record Injection(InjectionAction action, double threshold) {}

  /** One role's rules, every field resolved (the role's own value, else the default). */
  public record RoleGuards(Validation validation, Injection injection) {}

  /**
   * @param maxHeaderBytes the request line and headers together (431 beyond)
   * @param maxUrlLength the request line (414 beyond)
   * @param maxJsonDepth deepest nesting of a JSON body (400 beyond), checked by the parser as it reads
   * @param maxJsonStringChars longest JSON string (400 beyond), checked by the parser
   */
  public record Edge(int maxHeaderBytes, int maxUrlLength, int maxJsonDepth, int maxJsonStringChars) {}

  /**
   * @param origins the origins allowed on every route ({@code https://app.example.com}), or {@code *}
   * @param routes origins per route (chat_completions, embeddings, messages, models), replacing {@code origins} there
   * @param credentials whether browsers may send credentials (never with {@code *})
   * @param maxAge how long a browser may cache a preflight answer
   * @param headers request headers a browser may send
   */
  public record Cors(List<String> origins, Map<String, List<String>> routes, boolean credentials, Duration maxAge,
      List<String> headers) {

    public Cors {
      origins = List.copyOf(origins);
      routes = Map.copyOf(routes);
      headers = List.copyOf(headers);
    }

    /** The origins allowed on {@code route}. */
    public List<String> originsFor(String route) {
      return routes.getOrDefault(route, origins);
    }
  }
}
