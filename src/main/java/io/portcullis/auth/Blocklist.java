package io.portcullis.auth;

import io.portcullis.ingress.Principal;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users and teams blocked in Redis, as this process last read them: read at start, again
 * whenever a change is announced ({@link KeyChanges}) and whenever the feed is made again (a change
 * may have been missed meanwhile). Looked up in memory on every request.
 */
public final class Blocklist {

  private static final Logger LOG = LoggerFactory.getLogger(Blocklist.class);

  private volatile Set<String> blocked = Set.of();

  /** Reads the blocked set again from {@code store}; on failure the last one read stays. */
  public void refresh(KeyStore store) {
    store.blocked().onSuccess(b -> blocked = Set.copyOf(b))
        .onFailure(e -> LOG.warn("blocked users and teams not read from Redis ({}); the last read stays", e.toString()));
  }

  /** Whether the caller's user or team is blocked. */
  public boolean blocks(Principal p) {
    return blocks(blocked, p);
  }

  /** Whether a set of blocked subjects blocks the caller's user or team. */
  static boolean blocks(Set<String> blocked, Principal p) {
    return !blocked.isEmpty() && (blocked.contains("user:" + p.subject())
        || (p.team() != null && blocked.contains("team:" + p.team())));
  }
}
