package io.portcullis.audit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The audit trail without Redis: one JSON object per line, appended (each line is one write to a
 * file opened for append, so the gateway and a {@code keys} command writing at once do not mix
 * their lines). An entry's id is its line number. Every file access runs on a worker, in order; the
 * file is never trimmed here (rotate it with the host's tools).
 */
public final class FileAuditTrail implements AuditTrail {

  private final Vertx vertx;
  private final Path file;

  /** @param vertx runs the file accesses on a worker; null runs them on the caller's thread (the CLI) */
  public FileAuditTrail(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  private <T> Future<T> blocking(Callable<T> work) {
    if (vertx == null) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(work, true);
  }

  @Override
  public Future<String> append(AuditEntry entry) {
    return blocking(() -> {
      synchronized (FileAuditTrail.class) {
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
        long lines = Files.exists(file) ? lines() : 0;
        byte[] line = (entry.withId(null).toJson().encode() + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return String.valueOf(lines + 1);
      }
    });
  }

  private long lines() throws IOException {
    try (var s = Files.lines(file, StandardCharsets.UTF_8)) {
      return s.count();
    }
  }

  @Override
  public Future<List<AuditEntry>> page(String before, int limit) {
    return blocking(() -> {
      List<String> all = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
      long end = all.size();
      if (before != null) {
        try {
          end = Math.min(end, Long.parseLong(before) - 1);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("before: not an entry id of this trail");
        }
      }
      List<AuditEntry> out = new ArrayList<>();
      for (long i = end; i >= 1 && out.size() < limit; i--) {
        String line = all.get((int) i - 1);
        try {
          out.add(AuditEntry.fromJson(String.valueOf(i), new JsonObject(line)));
        } catch (RuntimeException e) {
          // a line cut by a crash mid-write: skipped, the rest of the trail still reads
        }
      }
      return out;
    });
  }
}
