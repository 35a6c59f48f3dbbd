package io.portcullis.config;

/**
 * A feature's own check of its config section, run by the loader after parsing: the loader knows
 * the shape of every section, the feature knows what its words mean (rule names, character sets).
 * The process's wiring hands the loader every feature's check, so config depends on no feature.
 */
public interface SectionCheck {

  void check(GatewayConfig config, Problems problems);

  /** Where a check reports: the option's path ({@code scrub.disable}) and what is wrong with it. */
  interface Problems {
    void add(String path, String message);
  }
}
