package io.portcullis.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.MockConfig;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MockBehaviourTest {

  final MockBehaviour defaults = MockBehaviour.defaults(new MockConfig(true, "h", 0, 50, 24, Duration.ZERO));

  @Test
  void readsDirectivesFromTheModelName() {
    MockBehaviour b = defaults.with("gpt@status=429;retry_after=7;ttfb=300;tokens=5;rate=0;abort_after=2;malformed_after=1;token_size=9;stamp=1");
    assertThat(b).isEqualTo(new MockBehaviour(429, 7, 300, 5, 0, 2, 1, 9, true, false, 1.0));
    assertThat(MockBehaviour.baseModel("gpt@status=500")).isEqualTo("gpt");
    assertThat(defaults.with("plain")).isEqualTo(defaults);
    assertThat(defaults.with("m@tokens=x;nonsense;rate=")).isEqualTo(defaults);
  }

  @Test
  void echoPiecesRebuildTheTextAndNeverSplitASurrogatePair() {
    Random r = new Random(1);
    for (int i = 0; i < 500; i++) {
      StringBuilder s = new StringBuilder();
      for (int k = r.nextInt(40); k > 0; k--) {
        s.append(r.nextBoolean() ? "\uD83D\uDE00" : String.valueOf((char) ('a' + r.nextInt(26))));
      }
      var pieces = MockText.pieces(s.toString());
      assertThat(String.join("", pieces)).isEqualTo(s.toString());
      pieces.forEach(p -> assertThat(Character.isHighSurrogate(p.charAt(p.length() - 1))).isFalse());
    }
  }
}
