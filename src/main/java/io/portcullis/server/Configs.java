package io.portcullis.server;

import io.portcullis.config.ConfigLoader;
import io.portcullis.scrub.ScrubConfigCheck;
import java.util.List;
import java.util.Map;

/** The config loader of a gateway: the loader, with every feature's check of its own section. */
public final class Configs {

  private Configs() {}

  public static ConfigLoader loader(Map<String, String> env) {
    return new ConfigLoader(env, List.of(new ScrubConfigCheck()));
  }

  public static ConfigLoader fromSystemEnv() {
    return loader(System.getenv());
  }
}
