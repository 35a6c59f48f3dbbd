package io.portcullis.config;

import java.util.List;

/**
 * A redaction rule of the operator's own, in the shape every built-in credential rule has: one of
 * a few fixed prefixes, then a run of allowed characters of bounded length. That shape is matched
 * in linear time and incrementally, which an arbitrary regular expression could not promise.
 *
 * @param chars the body's characters, as ranges and single characters, e.g. {@code A-Za-z0-9_-}
 */
public record CustomRuleConfig(String name, List<String> prefixes, String chars, int minLength, int maxLength) {

  public CustomRuleConfig {
    prefixes = List.copyOf(prefixes);
  }
}
