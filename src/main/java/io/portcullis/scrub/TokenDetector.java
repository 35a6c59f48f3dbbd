package io.portcullis.scrub;

import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * A credential that starts with a known prefix ({@code sk-}, {@code AKIA}, {@code ghp_}...) followed
 * by a run of body characters of bounded length. The prefix must not follow an ASCII letter or digit
 * ({@code task-proj} holds no key), but may follow anything else, an underscore or CJK text
 * included; the token is
 * the longest valid start of the body run that is not followed by another alphanumeric character.
 *
 * <p>A candidate stays live while its prefix is only partly there at the end of the text, or while
 * its body run reaches the end and is not yet over the maximum length.
 */
final class TokenDetector extends Detector {

  private final String rule;
  private final int priority;
  private final List<String> prefixes;
  private final boolean ignoreCase;
  private final IntPredicate body;
  private final int minBody;
  private final int maxBody;
  private final Predicate<CharSequence> valid;

  TokenDetector(String rule, int priority, List<String> prefixes, boolean ignoreCase, IntPredicate body,
      int minBody, int maxBody, Predicate<CharSequence> valid) {
    this.rule = rule;
    this.priority = priority;
    this.prefixes = List.copyOf(prefixes);
    this.ignoreCase = ignoreCase;
    this.body = body;
    this.minBody = minBody;
    this.maxBody = maxBody;
    this.valid = valid;
  }

  @Override
  Set<String> rules() {
    return Set.of(rule);
  }

  @Override
  Continuation continuation() {
    return Continuation.whileChars(body);
  }

  @Override
  Start start(char trigger) {
    return Chars.word(trigger) ? Start.NOT_AFTER_ALNUM : Start.ANYWHERE;
  }

  @Override
  String followers(char trigger) {
    return prefixChars(String.valueOf(trigger));
  }

  @Override
  String thirdChars(char trigger, char second) {
    return prefixChars("" + trigger + second);
  }

  @Override
  int at(Scan scan, int i, int from) {
    int end = tryAt(scan, i);
    return end > i ? end : i + 1;
  }

  /** The first characters of this detector's prefixes. */
  @Override
  String triggers() {
    return prefixChars("");
  }

  /**
   * The characters that come next in the prefixes that begin with {@code start} (in either case
   * when case is ignored), or null when one of them ends there and any character may follow.
   */
  private String prefixChars(String start) {
    StringBuilder out = new StringBuilder();
    for (String p : prefixes) {
      if (!p.regionMatches(ignoreCase, 0, start, 0, start.length())) {
        continue;
      }
      if (p.length() <= start.length()) {
        return null;
      }
      char c = p.charAt(start.length());
      out.append(c);
      if (ignoreCase) {
        out.append(Character.toUpperCase(c)).append(Character.toLowerCase(c));
      }
    }
    return out.toString();
  }

  /** Tries every prefix at {@code i} (a position not inside a word); returns the end of a finding, or -1. */
  private int tryAt(Scan scan, int i) {
    CharSequence t = scan.text;
    int n = t.length();
    for (String prefix : prefixes) {
      int k = 0;
      while (k < prefix.length() && i + k < n && same(t.charAt(i + k), prefix.charAt(k))) {
        k++;
      }
      if (k < prefix.length()) {
        if (i + k == n) {
          scan.live(i, rule, this); // the prefix may complete with the next piece
        }
        continue;
      }
      int bodyStart = i + prefix.length();
      int j = bodyStart;
      while (j < n && j - bodyStart <= maxBody && body.test(t.charAt(j))) {
        j++;
      }
      if (j == n && !scan.complete && j - bodyStart <= maxBody) {
        scan.live(i, rule, this); // the body may go on
        continue;
      }
      int end = longestValidEnd(t, i, bodyStart, j);
      if (end > 0) {
        scan.found(i, end, rule, priority);
        return end;
      }
    }
    return -1;
  }

  /**
   * The longest token the run {@code [bodyStart, runEnd)} starts with: the whole run, or, when that
   * is not a valid one, the run cut back before one of its punctuation characters, since the run
   * may have taken in what follows the token in the sentence (a JWT before a full stop, a key before
   * "-based"): a look-ahead that fails must end the match at its last valid point, not drop it.
   * Each end must fit the length bounds, not come right after a full stop and not be followed by a
   * letter or digit; -1 when none is valid.
   */
  private int longestValidEnd(CharSequence t, int start, int bodyStart, int runEnd) {
    for (int end = Math.min(runEnd, bodyStart + maxBody); end - bodyStart >= minBody; end--) {
      // a token never ends with a full stop: "Bearer abc." keeps the sentence's
      boolean boundary = (end == t.length() || !Chars.alnum(t.charAt(end))) && t.charAt(end - 1) != '.';
      if (boundary && valid.test(t.subSequence(start, end))) {
        return end;
      }
    }
    return -1;
  }

  private boolean same(char c, char p) {
    return ignoreCase ? Character.toLowerCase(c) == Character.toLowerCase(p) : c == p;
  }
}
