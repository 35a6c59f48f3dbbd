package io.portcullis.scrub;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A compiled set of rules: makes one {@link StreamScrubber} per stream of text, and scrubs whole
 * texts (non-streaming responses, request bodies, log lines) with the same rules in block mode.
 */
public final class Scrubber {

  public static final int DEFAULT_MAX_HOLD = 512;

  private final List<Detector> detectors;
  private final Set<String> disabled;
  private final int maxHold;

  private Scrubber(List<Detector> detectors, Set<String> disabled, int maxHold) {
    this.detectors = detectors.stream()
        .map(d -> d instanceof TokenFamily family ? family.without(disabled) : d)
        .filter(d -> !disabled.containsAll(d.rules())).toList();
    this.disabled = Set.copyOf(disabled);
    this.maxHold = maxHold;
  }

  /** Every built-in rule, with the given hold-back cap in characters. */
  public static Scrubber builtIn(int maxHold) {
    return new Scrubber(Rules.builtIn(), Set.of(), maxHold);
  }

  /** The built-in rules less the disabled ones. */
  public static Scrubber of(Set<String> disabledRules, int maxHold) {
    return new Scrubber(Rules.builtIn(), disabledRules, maxHold);
  }

  /** How many rules are on. */
  public int ruleCount() {
    return (int) Rules.NAMES.stream().filter(r -> !disabled.contains(r)).count();
  }

  public StreamScrubber stream(Consumer<String> onRedaction) {
    return new StreamScrubber(detectors, disabled, maxHold, onRedaction);
  }

  /** Block mode: the whole text at once. */
  public String scrub(CharSequence text) {
    return scrub(text, rule -> { });
  }

  public String scrub(CharSequence text, Consumer<String> onRedaction) {
    StreamScrubber s = new StreamScrubber(detectors, disabled, Integer.MAX_VALUE, onRedaction);
    return s.feed(text) + s.finish();
  }

  /** The longest candidate any rule can hold; a cap below it makes long matches fail closed. */
  public int longestCandidate() {
    return detectors.stream().mapToInt(Detector::maxCandidateLength).max().orElse(0);
  }

  /** The per-event hook that scrubs a streamed response of the given wire format. */
  public io.portcullis.sse.SseEventHook streamHook(io.portcullis.config.ProviderType format, Consumer<String> onRedaction) {
    return format == io.portcullis.config.ProviderType.ANTHROPIC
        ? new AnthropicStreamScrub(this, onRedaction) : new OpenAiStreamScrub(this, onRedaction);
  }

  static String mask(String rule) {
    return "[REDACTED:" + rule + "]";
  }
}
