package io.portcullis.forward;

import io.portcullis.config.ProviderConfig;
import io.portcullis.config.Secret;
import io.vertx.core.MultiMap;

/** What a provider adds to every upstream request: its configured headers and its next key. */
final class Credentials {

  private final ProviderConfig config;
  private final KeyRing keys;

  Credentials(ProviderConfig config) {
    this.config = config;
    this.keys = new KeyRing(config.apiKeys());
  }

  void apply(MultiMap upstream) {
    config.headers().forEach(upstream::set);
    Secret key = keys.next();
    if (key == null) {
      return;
    }
    if (config.authHeader().equals("authorization")) {
      upstream.set("authorization", "Bearer " + key.value());
    } else {
      upstream.set(config.authHeader(), key.value());
    }
  }
}
