package io.portcullis.limit;

import io.portcullis.config.LimitsConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A request decided from the leases an event loop holds (requests and tokens of one caller): what
 * replaces a Redis round trip for a busy caller. The leases are topped up in place so every
 * operation is a lease decision. Run with {@code -prof gc} for the allocation per operation.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeaseBenchmark {

  LeasedLimiter limiter;
  List<Charge> charges;

  @Setup
  public void setUp() {
    LimitsConfig.Lease config = new LimitsConfig.Lease(0.01, Duration.ofMinutes(10));
    limiter = new LeasedLimiter(null, () -> config);
    charges = List.of(new Charge("rl:{bench}:p:requests", "requests", 100_000_000, 60_000, 1),
        new Charge("rl:{bench}:p:tokens", "tokens", 2_000_000_000, 60_000, 1033));
    long forever = System.nanoTime() + TimeUnit.DAYS.toNanos(1);
    for (Charge c : charges) {
      limiter.hold(c, 1, Long.MAX_VALUE / 4, forever, 1_000_000, forever);
    }
  }

  @Benchmark
  public Decision decideFromLeases() {
    return limiter.fromHeld(charges, System.nanoTime());
  }
}
