package io.portcullis.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every rule's values, and the hard negatives, in every context a chat answer puts around them:
 * after and before each kind of neighbour (punctuation with the full stop and an ellipsis, brackets,
 * quotes, backticks, markdown, URL query and fragment, JSON escapes, non-ASCII letters, CJK, emoji,
 * every newline, the start and end of the text).
 *
 * <p>Every pair of neighbours is tried in block mode: the value never appears in the output, the
 * rule's mask does, and punctuation after the value stays after the mask (a token's run must end
 * at its last valid point, not swallow the full stop or fail whole). Streaming must give the same output as block mode when the text is cut
 * at every point within {@value #EDGE} characters of the value's start and end (where a neighbour
 * decides) and at every 31st point inside it; {@link ScrubberTest} cuts its corpus everywhere.
 */
class ScrubNeighbourTest {

  static final int EDGE = 12;

  static final List<String> BEFORE = List.of("", " ", "\n", "\r\n", "\r", "\t", "(", "[", "{", "<", "\"", "'", "`", "```\n",
      "*", "**", "_", ":", ": ", "=", "?token=", "?a=1&key=", "#", "> ", "- ", "1. ", "é ", "é", "中文：", "密钥是", "😀 ", "😀",
      "\\\"", "\\n", "\\t", "\u00a0", "\u2028", "\u2029", "token=\"", "\"key\": \"");
  static final List<String> AFTER = List.of("", ".", "...", ".\n", ". Next", ",", ";", ":", ")", "]", "}", ">", "\"", "'", "`",
      "`.", "*", "**", "_", "!", "?", "&x=1", "#frag", "\n", "\r\n", "\r", "\t", " ", "é", "中文", "。", "😀", "\\n", "\\\"",
      "\u00a0", "\u2028", "\u2029", "-based", ").", "\",\n");
  /**
   * Neighbours that end a sentence or a quote: the mask must leave them in place (a keyword
   * secret's value may end in punctuation, so that rule and the connection string are exempt).
   */
  static final List<String> KEPT_AFTER = List.of(".", "...", ".\n", ". Next", ",", ";", ")", "]", "}", ">", "\"", "'", "`",
      "`.", "!", "?", "\n", "\r\n", " ", ").", "。", "中文");
  static final List<String> GREEDY_RULES = List.of("generic_secret", "connection_string_password");
  /** Neighbours that make a keyword rule of what follows: a negative there may rightly be redacted. */
  static final List<String> KEYWORD_BEFORE = List.of("?token=", "?a=1&key=", "token=\"", "\"key\": \"");

  private final ScrubCorpusTest corpus = new ScrubCorpusTest();
  private final Random random = new Random(20261203);

  /** A value, the part of it that must not survive, and the rule that must mask it. */
  record Planted(String rule, String text, String secret) {}

  private List<Supplier<Planted>> planters() {
    List<Supplier<Planted>> out = new ArrayList<>();
    for (Map.Entry<String, Supplier<String>> g : corpus.generators().entrySet()) {
      out.add(() -> {
        String v = g.getValue().get();
        return new Planted(g.getKey(), v, v);
      });
    }
    out.add(() -> {
      ScrubCorpusTest.Sample s = corpus.partial("connection_string_password", "%s");
      return new Planted(s.rule(), s.text(), secretOf(s));
    });
    out.add(() -> {
      String secret = "Zq8" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "x!7Kp";
      return new Planted("generic_secret", "password: " + secret, secret);
    });
    return out;
  }

  /** The text the sample's mask stands for. */
  private static String secretOf(ScrubCorpusTest.Sample s) {
    int at = s.expected().indexOf("[REDACTED:");
    int tail = s.expected().length() - s.expected().indexOf(']', at) - 1;
    return s.text().substring(at, s.text().length() - tail);
  }

  @Test
  void everyValueIsRedactedWhateverItsNeighboursBlockAndStreamAlike() {
    List<String> failures = new ArrayList<>();
    int cases = 0;
    for (Supplier<Planted> planter : planters()) {
      for (String before : BEFORE) {
        for (String after : AFTER) {
          Planted p = planter.get();
          String text = before + p.text() + after;
          String block = ScrubCorpusTest.SCRUBBER.scrub(text);
          cases++;
          // after a keyword ("?token=") the keyword rule may rightly take the value
          String mask = KEYWORD_BEFORE.contains(before) ? "[REDACTED:" : "[REDACTED:" + p.rule() + "]";
          boolean greedy = GREEDY_RULES.contains(p.rule()) || KEYWORD_BEFORE.contains(before);
          boolean kept = greedy || !KEPT_AFTER.contains(after) || block.endsWith(mask + after);
          if (block.contains(p.secret()) || !block.contains(mask) || !kept) {
            failures.add(p.rule() + " in block mode: " + show(before) + " VALUE " + show(after) + " -> " + show(block));
            continue;
          }
          int start = before.length();
          int end = start + p.text().length();
          for (int cut = 0; cut <= text.length(); cut++) {
            if (Math.abs(cut - start) <= EDGE || Math.abs(cut - end) <= EDGE || cut % 31 == 0) {
              String streamed = streamed(text, cut);
              if (!streamed.equals(block)) {
                failures.add(p.rule() + " streamed != block at " + cut + ": " + show(before) + " VALUE " + show(after));
                break;
              }
            }
          }
        }
      }
    }
    assertThat(failures).as("%d cases", cases).isEmpty();
  }

  @Test
  void hardNegativesStayUntouchedWhateverTheirNeighbours() {
    List<String> failures = new ArrayList<>();
    List<String> negatives = corpus.negatives().subList(0, 200);
    int k = 0;
    for (String before : BEFORE) {
      if (KEYWORD_BEFORE.contains(before)) {
        continue;
      }
      for (String after : AFTER) {
        String text = before + negatives.get(k++ % negatives.size()) + after;
        String block = ScrubCorpusTest.SCRUBBER.scrub(text);
        if (!block.equals(text)) {
          failures.add(show(text) + " -> " + show(block));
        } else {
          for (int cut = 0; cut <= text.length(); cut += 3) {
            if (!streamed(text, cut).equals(text)) {
              failures.add("streamed at " + cut + ": " + show(text));
              break;
            }
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private static String streamed(String text, int cut) {
    StreamScrubber s = ScrubCorpusTest.SCRUBBER.stream(rule -> { });
    return s.feed(text.substring(0, cut)) + s.feed(text.substring(cut)) + s.finish();
  }

  private static String show(String s) {
    return "'" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'";
  }
}
