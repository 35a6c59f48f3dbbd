package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.config.ObserveConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The anomaly detector on a synthetic traffic trace: injected bursts are flagged, steady traffic is not. */
class UsageAnomaliesTest {

  static final ObserveConfig.Anomaly CONFIG = new ObserveConfig.Anomaly(true, Duration.ofSeconds(10), Duration.ofMinutes(30),
      6, 30, 50_000, 30, 0.5, Duration.ofMinutes(5));
  static final int CALLERS = 300;
  static final int INTERVALS = 12 * 360; // 12 hours of 10 s intervals
  static final int WARM = 2 * 360; // bursts start after 2 hours

  /** Poisson counts (Knuth below 30, the normal approximation above). */
  static long poisson(Random r, double lambda) {
    if (lambda < 30) {
      double l = Math.exp(-lambda);
      long k = 0;
      double p = 1;
      do {
        k++;
        p *= r.nextDouble();
      } while (p > l);
      return k - 1;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * r.nextGaussian()));
  }

  @Test
  void flagsInjectedBurstsAndAlmostNothingElse() {
    Random r = new Random(42);
    AtomicLong clock = new AtomicLong();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    UsageAnomalies detector = new UsageAnomalies(registry, clock::get);
    double[] rate = new double[CALLERS];
    double[] tokensPerRequest = new double[CALLERS];
    for (int c = 0; c < CALLERS; c++) {
      rate[c] = Math.exp(Math.log(1) + r.nextDouble() * (Math.log(60) - Math.log(1))); // 1..60 per interval
      tokensPerRequest[c] = 200 + r.nextInt(1500);
    }
    // 40 bursts: request bursts (8x the caller's rate, at least 60) and token bursts (same requests,
    // 15x the tokens), 3 intervals each, at random callers and times after the warm-up
    int bursts = 40;
    int[] burstCaller = new int[bursts];
    int[] burstStart = new int[bursts];
    boolean[] tokenBurst = new boolean[bursts];
    Set<Long> inBurst = new HashSet<>();
    for (int b = 0; b < bursts; b++) {
      burstCaller[b] = r.nextInt(CALLERS);
      burstStart[b] = WARM + r.nextInt(INTERVALS - WARM - 10);
      tokenBurst[b] = b % 2 == 1;
      for (int i = 0; i < 3; i++) {
        inBurst.add((long) burstCaller[b] * INTERVALS + burstStart[b] + i);
      }
    }
    boolean[] detected = new boolean[bursts];
    long falseFlags = 0;
    long steadyIntervals = 0;
    for (int t = 0; t < INTERVALS; t++) {
      clock.set(t * 10_000L + 5_000);
      double daily = 1 + 0.5 * Math.sin(2 * Math.PI * t / (6 * 360.0)); // a slow swing, as working hours make
      for (int c = 0; c < CALLERS; c++) {
        double lambda = rate[c] * daily;
        double perRequest = tokensPerRequest[c];
        int burst = -1;
        for (int b = 0; b < bursts; b++) {
          if (burstCaller[b] == c && t >= burstStart[b] && t < burstStart[b] + 3) {
            burst = b;
          }
        }
        if (burst >= 0) {
          if (tokenBurst[burst]) {
            perRequest *= 15;
            lambda = Math.max(lambda, 20); // above the tokens floor (min_tokens) even for the lightest caller
          } else {
            lambda = Math.max(8 * lambda, 60);
          }
        }
        long requests = poisson(r, lambda);
        if (requests == 0) {
          continue;
        }
        long tokens = Math.round(requests * perRequest * (0.8 + 0.4 * r.nextDouble()));
        UsageAnomalies.Kind flag = detector.record("caller-" + c, requests, tokens, CONFIG);
        if (burst >= 0) {
          detected[burst] |= flag != null;
        } else if (t >= WARM) {
          falseFlags += flag != null ? 1 : 0;
        }
      }
      if (t >= WARM) {
        steadyIntervals += CALLERS;
      }
    }
    int found = 0;
    for (boolean d : detected) {
      found += d ? 1 : 0;
    }
    steadyIntervals -= inBurst.size();
    double recall = (double) found / bursts;
    double falsePositiveRate = (double) falseFlags / steadyIntervals;
    System.out.printf("anomaly trace: %d of %d bursts flagged (recall %.3f); %d false flags in %d steady caller-intervals (rate %.2e)%n",
        found, bursts, recall, falseFlags, steadyIntervals, falsePositiveRate);
    assertThat(recall).isGreaterThanOrEqualTo(0.95);
    assertThat(falsePositiveRate).isLessThan(1e-4);
    assertThat(registry.get("portcullis.usage.anomalies").tag("kind", "requests").counter().count()
        + registry.get("portcullis.usage.anomalies").tag("kind", "tokens").counter().count()).isGreaterThanOrEqualTo(found);
  }

  @Test
  void aFlagTightensTheCallersLimitsForTheCooldownOnly() {
    AtomicLong clock = new AtomicLong(1_000_000);
    UsageAnomalies detector = new UsageAnomalies(new SimpleMeterRegistry(), clock::get);
    for (int t = 0; t < 60; t++) { // an hour... of 10 s intervals: 5 requests each
      clock.addAndGet(10_000);
      assertThat(detector.record("u", 5, 1000, CONFIG)).isNull();
    }
    assertThat(detector.limitFactor("u", CONFIG)).isEqualTo(1.0);
    clock.addAndGet(10_000);
    assertThat(detector.record("u", 29, 1000, CONFIG)).isNull(); // far above, but under the floor of 30
    assertThat(detector.record("u", 1, 1000, CONFIG)).isEqualTo(UsageAnomalies.Kind.REQUESTS);
    assertThat(detector.record("u", 10, 1000, CONFIG)).isNull(); // flagged once per interval
    assertThat(detector.limitFactor("u", CONFIG)).isEqualTo(0.5);
    assertThat(detector.limitFactor("someone-else", CONFIG)).isEqualTo(1.0);
    clock.addAndGet(Duration.ofMinutes(5).toMillis() + 1);
    assertThat(detector.limitFactor("u", CONFIG)).isEqualTo(1.0);
  }

  @Test
  void aNewCallerIsNeverFlaggedDuringItsWarmUp() {
    AtomicLong clock = new AtomicLong();
    UsageAnomalies detector = new UsageAnomalies(new SimpleMeterRegistry(), clock::get);
    for (int t = 0; t < CONFIG.warmup(); t++) {
      clock.addAndGet(10_000);
      assertThat(detector.record("new", t == 5 ? 1000 : 1, 100, CONFIG)).isNull();
    }
  }
}
