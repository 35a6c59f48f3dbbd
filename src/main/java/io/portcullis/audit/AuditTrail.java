package io.portcullis.audit;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where every change made through the admin API, the CLI or a config reload is written, once:
 * a Redis stream shared by every instance, or a JSON-lines file on this host.
 */
public interface AuditTrail {

  /** Appends one entry; completes with its id once it is stored. */
  Future<String> append(AuditEntry entry);

  /**
   * At most {@code limit} entries, newest first, all older than {@code before} (an id a previous
   * page ended with), or the newest when {@code before} is null.
   */
  Future<List<AuditEntry>> page(String before, int limit);

  /** Lets go of what it holds (a connection). */
  default void close() {}
}
