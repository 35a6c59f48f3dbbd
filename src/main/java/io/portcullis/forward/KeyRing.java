package io.portcullis.forward;

import io.portcullis.config.Secret;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider's upstream keys, handed out in turn. A reload builds a new ring from the new keys;
 * requests already in flight keep the key they took.
 */
final class KeyRing {

  private final List<Secret> keys;
  private final AtomicInteger next = new AtomicInteger();

  KeyRing(List<Secret> keys) {
    this.keys = List.copyOf(keys);
  }

  /** The next key, or null when the provider needs none (a local vLLM or Ollama, say). */
  Secret next() {
    if (keys.isEmpty()) {
      return null;
    }
    return keys.get(Math.floorMod(next.getAndIncrement(), keys.size()));
  }
}
