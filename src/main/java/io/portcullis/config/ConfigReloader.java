package io.portcullis.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.nio.file.Path;
import java.time.Duration;
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
  private Future<Boolean> inFlight = Future.succeededFuture(true);
  private long seenModified = -1;
  private long seenSize = -1;
  /** Another file the config reads (the API key file), watched the same way; null for none. */
  private volatile Path companion;
  private long companionModified = -1;
  private long companionSize = -1;
  private long watchTimer = -1;

  public ConfigReloader(Vertx vertx, Path file, ConfigLoader loader, Consumer<GatewayConfig> apply) {
    this.vertx = vertx;
    this.file = file;
    this.loader = loader;
    this.apply = apply;
  }

  /** Reloads now; completes with true when the new config was applied, false when it was refused. */
  public synchronized Future<Boolean> reload() {
    // one reload at a time, in order: a burst of changes ends with the last file applied
    inFlight = inFlight.transform(ignored -> vertx.<GatewayConfig>executeBlocking(() -> loader.load(file), false)
        .map(config -> {
          apply.accept(config);
          LOG.info("config reloaded from {}", file);
          return true;
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
    Path watched = companion;
    Future<long[]> companionNow = watched == null ? Future.succeededFuture(null) : companionProps(watched);
    return companionNow.compose(c -> {
      if (c != null) {
        companionModified = c[0];
        companionSize = c[1];
      }
      return vertx.fileSystem().props(file.toString());
    }).map(initial -> {
      remember(initial);
      watchTimer = vertx.setPeriodic(period.toMillis(), id -> {
        vertx.fileSystem().props(file.toString()).onSuccess(props -> {
          if (props.lastModifiedTime() != seenModified || props.size() != seenSize) {
            remember(props);
            reload();
          }
        });
        Path other = companion;
        if (other != null) {
          companionProps(other).onSuccess(p -> {
                if (p[0] != companionModified || p[1] != companionSize) {
                  boolean first = companionModified == -1;
                  companionModified = p[0];
                  companionSize = p[1];
                  if (!first) {
                    reload();
                  }
                }
              });
        }
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

  /** Also reloads when this file (read by the config, e.g. the API key file) changes. */
  public void alsoWatch(Path other) {
    if (!java.util.Objects.equals(other, companion)) {
      companion = other;
      companionModified = -1;
      companionSize = -1;
    }
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
