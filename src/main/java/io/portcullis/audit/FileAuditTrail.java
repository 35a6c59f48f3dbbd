package io.portcullis.audit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * their lines). An entry's id is where its line starts in the file (appending costs no read of the
 * file). Every file access runs on a worker, in order; the file is never trimmed here (rotate it with
 * the host's tools).
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
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      byte[] line = (entry.withId(null).toJson().encode() + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
          StandardOpenOption.WRITE)) {
        long at = out.size(); // where the line starts: its id (another writer may append at once; then it is approximate)
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        return String.valueOf(at);
      }
    });
  }

  @Override
  public Future<List<AuditEntry>> page(String before, int limit) {
    return blocking(() -> {
      long end = Long.MAX_VALUE;
      if (before != null) {
        try {
          end = Long.parseLong(before);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("before: not an entry id of this trail");
        }
      }
      byte[] all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
      // every line's start (its id) and end, then the newest first
      List<long[]> lines = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] == '\n') {
          lines.add(new long[] {start, i});
          start = i + 1;
        }
      }
      List<AuditEntry> out = new ArrayList<>();
      for (int i = lines.size() - 1; i >= 0 && out.size() < limit; i--) {
        long[] line = lines.get(i);
        if (line[0] >= end) {
          continue;
        }
        try {
          String text = new String(all, (int) line[0], (int) (line[1] - line[0]), StandardCharsets.UTF_8);
          out.add(AuditEntry.fromJson(String.valueOf(line[0]), new JsonObject(text)));
        } catch (RuntimeException e) {
          // a line cut by a crash mid-write: skipped, the rest of the trail still reads
        }
      }
      return out;
    });
  }
}
