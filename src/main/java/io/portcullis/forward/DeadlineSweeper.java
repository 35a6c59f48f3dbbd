package io.portcullis.forward;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the deadlines of every upstream call of one event loop on a fixed tick. One periodic timer
 * per event loop replaces a timer per request (and its re-arming per chunk); deadlines are kept to
 * within one tick, which is far below any timeout worth configuring.
 */
final class DeadlineSweeper {

  static final long TICK_MS = 25;

  private final Set<UpstreamCall> calls = new LinkedHashSet<>();

  /** Must be created on the event loop whose calls it watches. */
  DeadlineSweeper(Vertx vertx) {
    vertx.setPeriodic(TICK_MS, id -> sweep());
  }

  void add(UpstreamCall call) {
    calls.add(call);
  }

  void remove(UpstreamCall call) {
    calls.remove(call);
  }

  private void sweep() {
    if (calls.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    // a check may end a call (and remove it), so iterate over a copy
    List<UpstreamCall> snapshot = new ArrayList<>(calls);
    for (UpstreamCall call : snapshot) {
      call.checkDeadlines(now);
    }
  }
}
