package io.portcullis.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file on SIGHUP or when it changes. A reload reads and validates a complete new
 * config on a worker thread, then hands it to {@code apply} (which swaps the snapshot atomically).
 * An invalid file is refused with its problems logged, and the old config keeps serving.
 */
public final class ConfigReloader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

  private final Vertx vertx;
  private final Path file;
  private final ConfigLoader loader;
  private final Consumer<GatewayConfig> apply;
  private Consumer<Outcome> reported = o -> { };
  private Future<Boolean> inFlight = Future.succeededFuture(true);
  private long seenModified = -1;
  private long seenSize = -1;
  /**
   * Other files the config reads (the API key file, TLS keys and certificates, trust stores),
   * watched the same way, with the modification time and size last seen ({-1, -1} until first seen).
   */
  private volatile Map<Path, long[]> companions = Map.of();
  private long watchTimer = -1;

  public ConfigReloader(Vertx vertx, Path file, ConfigLoader loader, Consumer<GatewayConfig> apply) {
    this.vertx = vertx;
    this.file = file;
    this.loader = loader;
    this.apply = apply;
  }

  /** What one reload read: the SHA-256 of the file's text, and the problems that refused it (null when applied). */
  public record Outcome(String sha256, List<String> problems) {}

  /** Told of every reload, applied or refused (the audit trail). */
  public void reported(Consumer<Outcome> listener) {
    this.reported = listener;
  }

  private record Loaded(GatewayConfig config, String sha256, ConfigException refused) {}

  /** Reloads now; completes with true when the new config was applied, false when it was refused. */
  public synchronized Future<Boolean> reload() {
    // one reload at a time, in order: a burst of changes ends with the last file applied
    inFlight = inFlight.transform(ignored -> vertx.<Loaded>executeBlocking(() -> {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return new Loaded(null, null, new ConfigException(file + ": cannot read (" + e.getClass().getSimpleName() + ")"));
      }
      String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
      try {
        return new Loaded(loader.parse(text, file.toAbsolutePath().getParent()), sha256, null);
      } catch (ConfigException e) {
        return new Loaded(null, sha256, e);
      }
    }, false)
        .compose(loaded -> {
          if (loaded.refused() != null) {
            reported.accept(new Outcome(loaded.sha256(), loaded.refused().problems()));
            return Future.failedFuture(loaded.refused());
          }
          apply.accept(loaded.config());
          reported.accept(new Outcome(loaded.sha256(), null));
          LOG.info("config reloaded from {} (sha256 {})", file, loaded.sha256());
          return Future.succeededFuture(true);
        })
        .recover(err -> {
          if (err instanceof ConfigException ce) {
            LOG.error("config reload refused, the previous config keeps serving:\n  {}",
                String.join("\n  ", ce.problems()));
          } else {
            LOG.error("config reload failed, the previous config keeps serving: {}", err.toString());
          }
          return Future.succeededFuture(false);
        }));
    return inFlight;
  }

  /**
   * Polls the file's modification time and size; a change triggers a reload. Completes once the
   * file's current state is recorded, so a change made after that is never missed.
   */
  public Future<Void> watch(Duration period) {
    List<Future<?>> seen = new ArrayList<>();
    companions.forEach((path, state) -> seen.add(companionProps(path).onSuccess(p -> {
      state[0] = p[0];
      state[1] = p[1];
    })));
    return Future.join(seen).compose(c -> vertx.fileSystem().props(file.toString())).map(initial -> {
      remember(initial);
      watchTimer = vertx.setPeriodic(period.toMillis(), id -> {
        vertx.fileSystem().props(file.toString()).onSuccess(props -> {
          if (props.lastModifiedTime() != seenModified || props.size() != seenSize) {
            remember(props);
            reload();
          }
        });
        companions.forEach((other, state) -> companionProps(other).onSuccess(p -> {
          if (p[0] != state[0] || p[1] != state[1]) {
            boolean first = state[0] == -1;
            state[0] = p[0];
            state[1] = p[1];
            if (!first) {
              reload();
            }
          }
        }));
      });
      return null;
    });
  }

  /** Modification time and size; a missing file (an empty key store) is 0 and 0, so its appearance is a change. */
  private Future<long[]> companionProps(Path other) {
    return vertx.fileSystem().exists(other.toString()).compose(there -> there
        ? vertx.fileSystem().props(other.toString()).map(p -> new long[] {p.lastModifiedTime(), p.size()})
        : Future.succeededFuture(new long[] {0, 0}));
  }

  /**
   * Also reloads when one of these files (read by the config: the API key file, TLS files) changes.
   * Files watched before keep their last state; nulls are ignored.
   */
  public void alsoWatch(Collection<Path> others) {
    Map<Path, long[]> next = new LinkedHashMap<>();
    for (Path p : others) {
      if (p != null) {
        long[] before = companions.get(p);
        next.put(p, before != null ? before : new long[] {-1, -1});
      }
    }
    companions = next;
  }

  /** Reloads on SIGHUP, where the platform has signals. */
  @SuppressWarnings("restriction")
  public void reloadOnSighup() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> vertx.runOnContext(v -> reload()));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warn("SIGHUP is not available here; config reloads on file change only");
    }
  }

  public void stop() {
    if (watchTimer >= 0) {
      vertx.cancelTimer(watchTimer);
    }
  }

  private void remember(FileProps props) {
    seenModified = props.lastModifiedTime();
    seenSize = props.size();
  }
}
