package io.portcullis.scrub;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A compiled set of rules: makes one {@link StreamScrubber} per stream of text, and scrubs whole
 * texts (non-streaming responses, request bodies, log lines) with the same rules in block mode.
 */
public final class Scrubber {

  public static final String DEFAULT_MASK = "[REDACTED:{rule}]";

  private final List<Detector> detectors;
  private final Set<String> disabled;
  private final int maxHold;
  private final java.util.function.UnaryOperator<String> mask;
  private final int ruleCount;

  private Scrubber(List<Detector> detectors, Set<String> disabled, int maxHold, String maskTemplate) {
    this.mask = rule -> maskTemplate.replace("{rule}", rule);
    this.ruleCount = (int) detectors.stream().flatMap(d -> d.rules().stream()).distinct()
        .filter(r -> !disabled.contains(r)).count();
    this.detectors = detectors.stream()
        .map(d -> d instanceof TokenFamily family ? family.without(disabled) : d)
        .filter(d -> !disabled.containsAll(d.rules())).toList();
    this.disabled = Set.copyOf(disabled);
    this.maxHold = maxHold;
  }

  /** Every built-in rule, with the given hold-back cap in characters. */
  public static Scrubber builtIn(int maxHold) {
    return new Scrubber(Rules.builtIn(), Set.of(), maxHold, DEFAULT_MASK);
  }

  /** The built-in rules less the disabled ones, plus the custom ones, as configured. */
  public static Scrubber of(io.portcullis.config.ScrubConfig config) {
    return new Scrubber(Rules.withCustom(config.custom()), config.disabledRules(), config.maxHold(), config.mask());
  }

  /** How many rules are on. */
  public int ruleCount() {
    return ruleCount;
  }

  public StreamScrubber stream(Consumer<String> onRedaction) {
    return new StreamScrubber(detectors, disabled, maxHold, mask, onRedaction);
  }

  /** Block mode: the whole text at once. */
  public String scrub(CharSequence text) {
    return scrub(text, rule -> { });
  }

  public String scrub(CharSequence text, Consumer<String> onRedaction) {
    StreamScrubber s = new StreamScrubber(detectors, disabled, Integer.MAX_VALUE, mask, onRedaction);
    return s.feed(text) + s.finish();
  }

  /** The per-event hook that scrubs a streamed response of the given wire format. */
  public io.portcullis.sse.SseEventHook streamHook(io.portcullis.config.ProviderType format, Consumer<String> onRedaction) {
    return format == io.portcullis.config.ProviderType.ANTHROPIC
        ? new AnthropicStreamScrub(this, onRedaction) : new OpenAiStreamScrub(this, onRedaction);
  }

}
