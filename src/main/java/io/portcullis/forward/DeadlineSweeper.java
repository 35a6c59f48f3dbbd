package io.portcullis.forward;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the deadlines of every upstream call of one event loop on a fixed tick. One periodic timer
 * per event loop replaces a timer per request (and its re-arming per chunk); deadlines are kept to
 * within one tick (100 ms), far below any timeout worth configuring. With thousands of open streams
 * the tick is the sweeper's whole cost, so it is no finer than it needs to be.
 *
 * <p>Calls sit in a list and know their index, so adding and removing are O(1) and a sweep needs no
 * copy: it walks the list backwards, and a call that ends during its check swaps the last entry
 * (already checked) into its place.
 */
final class DeadlineSweeper {

  static final long TICK_MS = 100;

  private final List<UpstreamCall> calls = new ArrayList<>();

  /** Must be created on the event loop whose calls it watches. */
  DeadlineSweeper(Vertx vertx) {
    vertx.setPeriodic(TICK_MS, id -> sweep());
  }

  void add(UpstreamCall call) {
    if (call.sweepIndex < 0) {
      call.sweepIndex = calls.size();
      calls.add(call);
    }
  }

  void remove(UpstreamCall call) {
    int i = call.sweepIndex;
    if (i < 0) {
      return;
    }
    UpstreamCall last = calls.remove(calls.size() - 1);
    if (last != call) {
      calls.set(i, last);
      last.sweepIndex = i;
    }
    call.sweepIndex = -1;
  }

  private void sweep() {
    long now = System.nanoTime();
    for (int i = calls.size() - 1; i >= 0; i--) {
      if (i < calls.size()) {
        calls.get(i).checkDeadlines(now);
      }
    }
  }
}
