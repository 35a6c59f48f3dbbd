package io.portcullis.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Redaction of secrets and PII.
 *
 * @param enabled scrub responses (streamed and not) and requests
 * @param maxHold most characters held back per stream of text while a match may still complete;
 *     past it the held text is redacted (fail closed)
 * @param disabledRules rules switched off everywhere, by name
 * @param requestAction what a secret in a request body does by default: {@code redact} it before
 *     forwarding, {@code reject} the request with 400 naming the rule, {@code pseudonymize} it
 *     (a placeholder goes to the provider, the value comes back in the answer), or {@code off}
 * @param mask what replaces a finding by default; {@code {rule}} stands for the rule's name
 * @param custom the operator's own rules
 * @param rules per-rule overrides of the mask and the request action
 */
public record ScrubConfig(boolean enabled, int maxHold, Set<String> disabledRules, RequestAction requestAction,
    String mask, List<CustomRuleConfig> custom, Map<String, RuleOverride> rules) {

  /**
   * What a finding in a request body does: redact it before forwarding, refuse the request (400),
   * replace it by a placeholder that the answer turns back into the value, or nothing.
   */
  public enum RequestAction { REDACT, REJECT, PSEUDONYMIZE, OFF }

  /** One rule's own mask and request action; null where the rule follows the defaults. */
  public record RuleOverride(String mask, RequestAction requestAction) {}

  public ScrubConfig {
    disabledRules = Set.copyOf(disabledRules);
    custom = List.copyOf(custom);
    rules = Map.copyOf(rules);
  }

  /** The request action of one rule. */
  public RequestAction requestAction(String rule) {
    RuleOverride o = rules.get(rule);
    return o != null && o.requestAction() != null ? o.requestAction() : requestAction;
  }

  /** Whether any rule (or the default) pseudonymizes. */
  public boolean pseudonymizes() {
    return requestAction == RequestAction.PSEUDONYMIZE
        || rules.values().stream().anyMatch(o -> o.requestAction() == RequestAction.PSEUDONYMIZE);
  }

  /** The rules with a mask of their own, and that mask. */
  public Map<String, String> ruleMasks() {
    Map<String, String> out = new HashMap<>();
    rules.forEach((rule, o) -> {
      if (o.mask() != null) {
        out.put(rule, o.mask());
      }
    });
    return out;
  }
}
