package io.portcullis.scrub;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * All prefix-anchored detectors in one pass: each position that does not continue a word is handed
 * only to the detectors one of whose prefixes starts with that character. The findings are exactly
 * those of running each detector on its own (each keeps its own "skip past my last finding"), at
 * the cost of one scan instead of one per rule.
 */
final class TokenFamily implements Detector {

  private final List<TokenDetector> detectors;
  /** For each ASCII character, the indexes of the detectors a prefix of which starts with it. */
  private final int[][] byFirstChar = new int[128][];

  TokenFamily(List<TokenDetector> detectors) {
    this.detectors = List.copyOf(detectors);
    List<List<Integer>> table = new ArrayList<>();
    for (int c = 0; c < 128; c++) {
      table.add(new ArrayList<>());
    }
    for (int d = 0; d < detectors.size(); d++) {
      for (char c : detectors.get(d).firstChars().toCharArray()) {
        if (c < 128 && !table.get(c).contains(d)) {
          table.get(c).add(d);
        }
      }
    }
    for (int c = 0; c < 128; c++) {
      byFirstChar[c] = table.get(c).stream().mapToInt(Integer::intValue).toArray();
    }
  }

  @Override
  public Set<String> rules() {
    Set<String> rules = new LinkedHashSet<>();
    detectors.forEach(d -> rules.addAll(d.rules()));
    return rules;
  }

  /** This family less the detectors whose rules are all disabled. */
  TokenFamily without(Set<String> disabled) {
    return new TokenFamily(detectors.stream().filter(d -> !disabled.containsAll(d.rules())).toList());
  }

  @Override
  public int maxCandidateLength() {
    return detectors.stream().mapToInt(Detector::maxCandidateLength).max().orElse(0);
  }

  @Override
  public Continuation continuation() {
    throw new IllegalStateException("the live candidate names its own detector");
  }

  @Override
  public void scan(Scan scan) {
    CharSequence t = scan.text;
    int n = t.length();
    int[] skipUntil = new int[detectors.size()];
    boolean prevWord = Chars.word(scan.before);
    for (int i = 0; i < n; i++) {
      char c = t.charAt(i);
      boolean word = Chars.word(c);
      if (c < 128 && !(prevWord && word)) {
        for (int d : byFirstChar[c]) {
          if (i >= skipUntil[d]) {
            int end = detectors.get(d).tryAt(scan, i);
            if (end > i) {
              skipUntil[d] = end;
            }
          }
        }
      }
      prevWord = word;
    }
  }
}
