// Scrubber throughput on mixed prose, block mode and streamed in 4-character tokens.
// Run: mvn -B -q -DskipTests package && java -cp target/portcullis.jar benchmarks/ScrubBench.java
// (A JMH suite replaces this once the scrubber is complete; this gives medians in the meantime.)

import io.portcullis.scrub.Scrubber;
import io.portcullis.scrub.StreamScrubber;
import java.util.Arrays;
import java.util.Random;

public class ScrubBench {
  public static void main(String[] args) {
    String[] words = ("The gateway streams tokens from the model to the client while every policy holds across "
        + "instances, and nothing secret ever reaches a log line; contact support at help@example.com or call "
        + "555-0100. Version 2.4.1 shipped on 2024-05-01.").split(" ");
    Random random = new Random(1);
    StringBuilder prose = new StringBuilder();
    while (prose.length() < 4_000_000) {
      prose.append(words[random.nextInt(words.length)]).append(' ');
    }
    String text = prose.toString();
    Scrubber scrubber = Scrubber.builtIn(512);

    for (int i = 0; i < 5; i++) {
      scrubber.scrub(text);
    }
    long[] block = new long[7];
    for (int i = 0; i < block.length; i++) {
      long t = System.nanoTime();
      scrubber.scrub(text);
      block[i] = System.nanoTime() - t;
    }
    Arrays.sort(block);

    String[] tokens = new String[text.length() / 4];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = text.substring(i * 4, i * 4 + 4);
    }
    long[] stream = new long[7];
    for (int round = -3; round < stream.length; round++) {
      StreamScrubber s = scrubber.stream(rule -> { });
      long t = System.nanoTime();
      for (String token : tokens) {
        s.feed(token);
      }
      s.finish();
      if (round >= 0) {
        stream[round] = System.nanoTime() - t;
      }
    }
    Arrays.sort(stream);
    System.out.printf("block mode: %.1f MB/s (median of %d runs over %d chars)%n",
        text.length() / (block[block.length / 2] / 1e9) / 1e6, block.length, text.length());
    System.out.printf("streamed:   %.0f ns per 4-character token (median of %d runs)%n",
        stream[stream.length / 2] / (double) tokens.length, stream.length);
  }
}
