package io.portcullis.config;

import java.util.Set;

/**
 * Redaction of secrets and PII.
 *
 * @param enabled scrub responses (streamed and not) and requests
 * @param maxHold most characters held back per stream of text while a match may still complete;
 *     past it the held text is redacted (fail closed)
 * @param disabledRules built-in rules switched off, by name
 * @param requestAction what a secret in a request body does: {@code redact} it before forwarding,
 *     {@code reject} the request with 400 naming the rule, or {@code off}
 * @param mask what replaces a finding; {@code {rule}} stands for the rule's name
 * @param custom the operator's own rules
 */
public record ScrubConfig(boolean enabled, int maxHold, Set<String> disabledRules, String requestAction,
    String mask, java.util.List<CustomRuleConfig> custom) {

  public static final Set<String> REQUEST_ACTIONS = Set.of("redact", "reject", "off");

  public ScrubConfig {
    disabledRules = Set.copyOf(disabledRules);
    custom = java.util.List.copyOf(custom);
  }
}
