package io.portcullis.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pass's next- and third-character filters are exact: on any text, complete or not, the
 * filtered pass reports the same findings and the same live point as one that asks every
 * triggered detector at every trigger.
 */
class DetectorSetTest {

  /** Pieces dense in triggers, prefixes, separators and their near misses. */
  static final String[] PIECES = {"0", "1", "2", "4", "9", "12", "255", "4111", ".", "..", ":", "::", "-", " ", "(", ")", "+",
      "a", "b", "d", "e", "f", "de", "fe80", "C", "to", "tok", "token", "se", "secret", "pa", "password", "api_key", "ap",
      "s", "t", "p", "P", "A", "AK", "AKIA", "sk", "sk-", "sk-proj-", "sk_live_", "gh", "ghp_", "xo", "xoxb-", "eyJ", "ey",
      "hf_", "gl", "glpat-", "Be", "Bearer ", "@", "x@y.io", "DE", "DE89", "GB", "=", "\"", "'", "_", "\\", "\\n", "\n", "é",
      "中", "😀", "K", "\u212a", "Z", "q", "-----BEGIN ", "://u:p@h", "ABCDEFGHIJKLMNOP", "Zq8Lm3Vx9Tb2"};

  static String scanOf(DetectorSet set, String text, char before, char before2, boolean complete) {
    Scan scan = new Scan(text, before, before2, complete);
    set.scan(scan, text.toCharArray(), text.length());
    List<Finding> findings = scan.findings;
    findings.sort(StreamScrubber.ORDER);
    return findings + " live " + scan.live() + " " + scan.liveRule();
  }

  @Test
  void theFilteredPassFindsExactlyWhatAskingEveryTriggerFinds() {
    List<Detector> detectors = Rules.builtIn();
    DetectorSet filtered = new DetectorSet(detectors);
    DetectorSet everyTrigger = new DetectorSet(detectors, true);
    Random r = new Random(11);
    char[] befores = {0, ' ', 'a', '1', '\\', '.', ':', 'é'};
    int findings = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder text = new StringBuilder();
      for (int k = r.nextInt(16); k >= 0; k--) {
        text.append(PIECES[r.nextInt(PIECES.length)]);
      }
      String t = text.toString();
      char before = befores[r.nextInt(befores.length)];
      char before2 = befores[r.nextInt(befores.length)];
      boolean complete = r.nextBoolean();
      String expected = scanOf(everyTrigger, t, before, before2, complete);
      findings += expected.startsWith("[]") ? 0 : 1;
      assertThat(scanOf(filtered, t, before, before2, complete)).as("%s (after %d %d, complete %s)", t, (int) before,
          (int) before2, complete).isEqualTo(expected);
    }
    assertThat(findings).as("texts with findings, so the comparison means something").isGreaterThan(2000);
    // and the corpus of realistic samples
    for (ScrubCorpusTest.Sample s : new ScrubCorpusTest().positives()) {
      assertThat(scanOf(filtered, s.text(), (char) 0, (char) 0, true)).as(s.text()).isEqualTo(scanOf(everyTrigger, s.text(), (char) 0, (char) 0, true));
    }
  }
}
