package io.portcullis.config;

import java.util.List;

/** A model name clients use, and the targets that serve it, tried in order. */
public record ModelConfig(String name, List<TargetConfig> targets) {

  public ModelConfig {
    targets = List.copyOf(targets);
  }
}
