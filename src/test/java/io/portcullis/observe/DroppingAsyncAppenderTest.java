package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Events that find the queue full are dropped without blocking the caller, and counted. */
class DroppingAsyncAppenderTest {

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory(); // the real one (it has an MDC adapter)
    CountDownLatch release = new CountDownLatch(1);
    AppenderBase<ILoggingEvent> stuck = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        try {
          release.await(10, TimeUnit.SECONDS); // a writer that cannot keep up
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
    };
    stuck.setContext(context);
    stuck.start();
    DroppingAsyncAppender async = new DroppingAsyncAppender();
    async.setContext(context);
    async.setQueueSize(4);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(stuck);
    async.start();
    assertThat(async.isStarted()).isTrue();
    long before = DroppingAsyncAppender.dropped();
    long started = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      async.doAppend(new LoggingEvent("x", context.getLogger("t"), Level.INFO, "line " + i, null, null));
    }
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5)); // never waited for the writer
    assertThat(DroppingAsyncAppender.dropped() - before).isBetween(40L, 50L); // 4 queued, one taken by the stuck writer
    release.countDown();
    async.stop();
  }
}
