package io.portcullis.scrub;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What happens to a finding: the rules that are off are ignored, every other one is replaced by
 * its rule's mask (worked out once, when the config is loaded) and counted.
 */
final class Redaction {

  private final Set<String> off;
  private final Map<String, String> masks;

  /**
   * @param maskTemplate the default mask; {@code {rule}} stands for the rule's name
   * @param ruleMasks masks of single rules, overriding the default
   */
  Redaction(List<String> rules, Set<String> off, String maskTemplate, Map<String, String> ruleMasks) {
    this.off = Set.copyOf(off);
    Map<String, String> masks = new HashMap<>();
    for (String rule : rules) {
      masks.put(rule, ruleMasks.getOrDefault(rule, maskTemplate).replace("{rule}", rule));
    }
    this.masks = Map.copyOf(masks);
  }

  boolean applies(String rule) {
    return !off.contains(rule);
  }

  boolean allOff(Set<String> rules) {
    return off.containsAll(rules);
  }

  /** What replaces one finding when it is not simply its rule's mask (a request's pseudonyms). */
  interface Replacer {
    String replacement(String rule, String value);
  }

  /**
   * Writes {@code text[from, to)} to {@code out} with the findings (sorted, earliest first) that
   * end by {@code to} replaced; a finding overlapping one already applied is dropped.
   */
  void apply(CharSequence text, int from, int to, List<Finding> findings, StringBuilder out, Consumer<String> onRedaction) {
    apply(text, from, to, findings, out, onRedaction, null);
  }

  /** As {@link #apply}, each finding replaced by what {@code replacer} says (by its mask when null). */
  void apply(CharSequence text, int from, int to, List<Finding> findings, StringBuilder out, Consumer<String> onRedaction,
      Replacer replacer) {
    int pos = from;
    for (Finding f : findings) {
      if (f.start() < pos || off.contains(f.rule())) {
        continue;
      }
      if (f.end() > to) {
        break;
      }
      out.append(text, pos, f.start()).append(replacer == null ? mask(f.rule())
          : replacer.replacement(f.rule(), text.subSequence(f.start(), f.end()).toString()));
      onRedaction.accept(f.rule());
      pos = f.end();
    }
    out.append(text, pos, to);
  }

  /** The mask of a rule (every rule of the compiled detectors has one). */
  String mask(String rule) {
    return masks.get(rule);
  }
}
