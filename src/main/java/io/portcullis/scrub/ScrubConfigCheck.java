package io.portcullis.scrub;

import io.portcullis.config.CustomRuleConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ScrubConfig;
import io.portcullis.config.SectionCheck;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What only the scrubber knows about its section: the built-in rule names ({@code disable},
 * {@code rules.<name>}, custom names that would shadow one) and the character-set syntax of custom rules.
 */
public final class ScrubConfigCheck implements SectionCheck {

  @Override
  public void check(GatewayConfig config, Problems problems) {
    ScrubConfig scrub = config.scrub();
    for (String rule : scrub.disabledRules().stream().sorted().toList()) {
      if (!Rules.NAMES.contains(rule)) {
        problems.add("scrub.disable", "unknown rule '" + rule + "' (known: " + String.join(", ", Rules.NAMES) + ")");
      }
    }
    Set<String> names = new TreeSet<>(Rules.NAMES);
    List<CustomRuleConfig> custom = scrub.custom();
    for (int i = 0; i < custom.size(); i++) {
      CustomRuleConfig c = custom.get(i);
      if (c.name() != null && Rules.NAMES.contains(c.name())) {
        problems.add("scrub.custom[" + i + "].name", "a rule named '" + c.name() + "' exists already");
      }
      if (c.name() != null) {
        names.add(c.name());
      }
      if (CharClass.parse(c.chars()) == null) {
        problems.add("scrub.custom[" + i + "].chars",
            "not a character set: '" + c.chars() + "' (write ranges and characters, e.g. A-Za-z0-9_-)");
      }
    }
    for (String rule : new TreeSet<>(scrub.rules().keySet())) {
      if (!names.contains(rule)) {
        problems.add("scrub.rules." + rule, "unknown rule '" + rule + "' (known: " + String.join(", ", names) + ")");
      }
    }
  }
}
