package io.portcullis.guard;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt-injection screening: a score over the text of user and tool messages, from a built-in,
 * versioned rule set. Each category found adds its weight once; a phrase found only inside
 * quotation marks counts half (a question about an attack quotes it). The text is screened as
 * sent (for hidden characters), then normalised — NFKC, zero-width, bidi and tag characters
 * removed, lower case, common digit-for-letter swaps undone, spaces collapsed — for the phrases;
 * base64 and hex runs are decoded and their text screened for the phrases too.
 *
 * <p>What it is: a cheap first filter against the common, known shapes of attack. What it is not:
 * a defence against a determined attacker, who can paraphrase, translate, split an instruction over
 * several messages or hide it in a document the model reads; the README says so.
 */
public final class InjectionScreen {

  /** The rule set's version, reported in the README and RESULTS (bump it when rules change). */
  public static final String VERSION = "2026.11-1";

  /** The categories, with the weight each adds to the score. */
  public enum Category {
    INSTRUCTION_OVERRIDE(1.0),
    ROLEPLAY_JAILBREAK(1.0),
    PROMPT_EXTRACTION(1.0),
    HIDDEN_TEXT(1.0),
    ENCODED_INSTRUCTIONS(1.0),
    DELIMITER_INJECTION(1.0);

    final double weight;

    Category(double weight) {
      this.weight = weight;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the screen found: the score and the categories (in rule order), each with its weight as counted. */
  public record Verdict(double score, Map<Category, Double> found) {

    public static final Verdict CLEAN = new Verdict(0, Map.of());

    /** The category that weighed most (named in a refusal), or null. */
    public Category top() {
      return found.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }
  }

  private static final String PRIOR = "(?:all |any |the |your |my |these |those )*(?:previous|prior|above|earlier|preceding|former|original|initial|system)";
  private static final String ORDERS = "(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|messages|context|constraints)";

  private static final Pattern OVERRIDE = Pattern.compile(String.join("|",
      "(?:ignore|disregard|forget|skip|drop|bypass|override|overwrite) " + PRIOR + " " + ORDERS,
      "(?:ignore|disregard|forget) (?:all|everything) (?:you (?:were|have been) told|(?:that )?came before|above|before this)",
      "(?:ignore|disregard) (?:all |any )?(?:of )?(?:your|the) (?:rules|guidelines|instructions|programming|restrictions)",
      "new (?:system )?instructions ?:",
      "from now on,? you (?:will|must|shall) (?:ignore|disregard|only obey|obey only)",
      "do not follow (?:your|the|any) (?:previous |prior |original )?(?:instructions|rules|guidelines)"));

  private static final Pattern JAILBREAK = Pattern.compile(String.join("|",
      "do anything now", "\\bdan mode\\b", "\\byou are dan\\b", "developer mode (?:is )?(?:now )?(?:enabled|activated)",
      "jailbr[eo]a?k(?:en|ed)? mode",
      "you are no longer (?:bound|restricted|limited|an ai|chatgpt|claude|an assistant)",
      "pretend (?:that )?you (?:have no|are free (?:of|from)|are not bound by|don'?t have) (?:any )?(?:restrictions|rules|guidelines|filters|limits)",
      "act as (?:an? )?(?:unfiltered|uncensored|unrestricted|evil|amoral) (?:ai|model|assistant|chatbot|version)",
      "(?:without|free of|free from) (?:any |all )?(?:ethical |moral )?(?:restrictions|filters|censorship|guidelines|limitations) (?:or|and) ",
      "stay in character no matter what", "you have been freed from", "your (?:restrictions|filters|guidelines) (?:are|have been) (?:removed|disabled|lifted)"));

  private static final Pattern EXTRACTION = Pattern.compile(String.join("|",
      "(?:reveal|show|print|repeat|output|display|tell me|give me|leak|dump|write out|recite|share) (?:me )?(?:your|all of your|all your) "
          + "(?:(?:full|entire|exact|complete|original|initial|hidden|secret|internal) )*(?:system prompt|system message|instructions|prompt|rules|guidelines)",
      "(?:reveal|show|print|repeat|output|display|tell me|give me|leak|dump|write out|recite|share) (?:me )?the "
          + "(?:(?:full|entire|exact|complete|original|initial|hidden|secret|internal) )*(?:system prompt|system message)",
      "(?:reveal|show|print|repeat|output|display|tell me|give me|leak|dump) (?:me )?the (?:(?:full|entire|exact|complete|original|initial|hidden|secret|internal) )+"
          + "(?:instructions|prompt|rules)",
      "(?:reveal|show|print|repeat|output|display|tell me|give me|leak|dump) (?:me )?the (?:instructions|prompt|text) (?:above|you were given)",
      "what (?:is|are|was|were) your (?:(?:full|exact|original|initial|hidden|secret) )*(?:system prompt|system message|instructions)",
      "repeat (?:everything|the text|the words|all text|the above|all of the above) (?:above|before|starting)",
      "(?:starting|beginning|begin|start) with (?:the words )?\"?you are (?:a|an|chatgpt|claude)",
      "ignore the above and (?:instead )?(?:print|output|say|tell)"));

  /** Chat-template tokens used the way a template uses them: a turn opened or closed, a system block. */
  private static final Pattern DELIMITERS = Pattern.compile(String.join("|",
      "<\\|im_end\\|>", "<\\|im_start\\|> ?(?:system|assistant)", "<\\|endoftext\\|>", "<\\|eot_id\\|>",
      "<\\|start_header_id\\|> ?(?:system|assistant)", "\\[inst\\][^\\n]{0,2000}\\[/inst\\]", "<<sys>>[^\\n]{0,2000}<</sys>>",
      "(?:^|\\n)#{2,} ?(?:system|instruction)s? ?:", "</?(?:system|system_prompt|instructions)>[^\\n]{3,}",
      "(?:^|\\n)(?:system|assistant) ?: ?(?:you are|ignore|new instructions)"));
  /** The same tokens named on their own (a question about templates names them too): half weight. */
  private static final Pattern DELIMITER_TOKENS = Pattern.compile(
      "<\\|(?:im_start|system|assistant|user|start_header_id|end_header_id)\\|>|\\[/?inst\\]|<</?sys>>");

  private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{24,}={0,2}");
  private static final Pattern HEX_RUN = Pattern.compile("(?:[0-9a-fA-F]{2}){16,}");

  private InjectionScreen() {}

  /** Screens the given texts (a request's user and tool messages) together. */
  public static Verdict screen(List<String> texts) {
    Map<Category, Double> found = new LinkedHashMap<>();
    for (String raw : texts) {
      if (raw == null || raw.isEmpty()) {
        continue;
      }
      if (hiddenCharacters(raw)) {
        found.put(Category.HIDDEN_TEXT, Category.HIDDEN_TEXT.weight);
      }
      String text = normalise(raw);
      phrases(text, found);
      String unleet = unleet(text);
      if (!unleet.equals(text)) {
        phrases(unleet, found);
      }
      for (String decoded : decodedRuns(raw)) {
        Map<Category, Double> inside = new LinkedHashMap<>();
        phrases(normalise(decoded), inside);
        if (!inside.isEmpty()) {
          found.put(Category.ENCODED_INSTRUCTIONS, Category.ENCODED_INSTRUCTIONS.weight);
        }
      }
    }
    double score = 0;
    for (double w : found.values()) {
      score += w;
    }
    return found.isEmpty() ? Verdict.CLEAN : new Verdict(score, Map.copyOf(found));
  }

  /**
   * Words one of a category's patterns cannot match without: a pattern runs only when the text
   * holds one of them (a plain {@code contains}, vectorised by the JDK), so ordinary prompts cost a
   * few scans instead of a dozen regular expressions.
   */
  private static final String[] OVERRIDE_WORDS = {"ignore", "disregard", "forget", "skip", "drop", "bypass", "overrid", "overwrit",
      "instructions", "from now on", "do not follow"};
  private static final String[] JAILBREAK_WORDS = {"anything now", "dan", "developer mode", "jailbr", "no longer", "pretend", "act as",
      "restrictions", "filters", "censorship", "guidelines", "limitations", "in character", "freed from"};
  private static final String[] EXTRACTION_WORDS = {"prompt", "instruction", "rules", "guidelines", "system message", "repeat",
      "you are", "the above"};
  private static final String[] DELIMITER_WORDS = {"<|", "[inst", "[/inst", "<<sys", "<</sys", "#", "system", "instructions>",
      "assistant"};

  private static void phrases(String text, Map<Category, Double> found) {
    if (any(text, OVERRIDE_WORDS)) {
      match(OVERRIDE, Category.INSTRUCTION_OVERRIDE, text, found, 1.0);
    }
    if (any(text, JAILBREAK_WORDS)) {
      match(JAILBREAK, Category.ROLEPLAY_JAILBREAK, text, found, 1.0);
    }
    if (any(text, EXTRACTION_WORDS)) {
      match(EXTRACTION, Category.PROMPT_EXTRACTION, text, found, 1.0);
    }
    if (any(text, DELIMITER_WORDS)) {
      match(DELIMITERS, Category.DELIMITER_INJECTION, text, found, 1.0);
      match(DELIMITER_TOKENS, Category.DELIMITER_INJECTION, text, found, 0.5);
    }
  }

  private static boolean any(String text, String[] words) {
    for (String w : words) {
      if (text.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** Adds the category once, at full weight if any match stands outside quotation marks, else at half. */
  private static void match(Pattern p, Category c, String text, Map<Category, Double> found, double scale) {
    Matcher m = p.matcher(text);
    double best = 0;
    while (m.find() && best < 1) {
      best = Math.max(best, quoted(text, m.start(), m.end()) ? 0.5 : 1.0);
    }
    if (best > 0) {
      found.merge(c, c.weight * best * scale, Math::max);
    }
  }

  /** Whether the match sits inside a pair of quotation marks on its line. */
  private static boolean quoted(String text, int start, int end) {
    int lineStart = text.lastIndexOf('\n', start) + 1;
    int lineEnd = text.indexOf('\n', end);
    if (lineEnd < 0) {
      lineEnd = text.length();
    }
    if (singleQuoted(text, start, end, lineStart, lineEnd)) {
      return true;
    }
    int before = 0;
    for (int i = lineStart; i < start; i++) {
      if (isQuote(text.charAt(i))) {
        before++;
      }
    }
    if (before % 2 == 0) {
      return false;
    }
    for (int i = end; i < lineEnd; i++) {
      if (isQuote(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Inside single quotes: an opening {@code '} (not after a letter) before the match and a closing
   * one (not before a letter) after it. Apostrophes inside words ({@code I'm}) are neither.
   */
  private static boolean singleQuoted(String text, int start, int end, int lineStart, int lineEnd) {
    int open = -1;
    for (int i = start - 1; i >= lineStart; i--) {
      if ((text.charAt(i) == '\'' || text.charAt(i) == '\u2018') && (i == 0 || !Character.isLetter(text.charAt(i - 1)))) {
        open = i;
        break;
      }
    }
    if (open < 0) {
      return false;
    }
    for (int i = end; i < lineEnd; i++) {
      if ((text.charAt(i) == '\'' || text.charAt(i) == '\u2019') && (i + 1 >= text.length() || !Character.isLetter(text.charAt(i + 1)))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\u201c' || c == '\u201d' || c == '`';
  }

  /** Zero-width characters (three or more), any bidi control, any Unicode tag character. */
  static boolean hiddenCharacters(String s) {
    int zeroWidth = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF' || c == '\u180E') {
        if (++zeroWidth >= 3) {
          return true;
        }
      } else if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        return true;
      } else if (c == '\uDB40' && i + 1 < s.length() && s.charAt(i + 1) >= '\uDC00' && s.charAt(i + 1) <= '\uDC7F') {
        return true; // U+E0000..U+E007F, the tag block: invisible ASCII look-alikes
      }
    }
    return false;
  }

  /** NFKC, hidden characters removed, lower case, spaces collapsed. */
  static String normalise(String s) {
    String n = ascii(s) ? s : Normalizer.normalize(s, Normalizer.Form.NFKC); // ASCII is its own NFKC form
    StringBuilder out = new StringBuilder(n.length());
    boolean space = false;
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF' || c == '\u180E'
          || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        continue;
      }
      if (c == '\uDB40' && i + 1 < n.length()) {
        i++; // a tag character: both halves dropped
        continue;
      }
      if (c == '\n') {
        out.append('\n');
        space = false;
        continue;
      }
      if (Character.isWhitespace(c)) {
        if (!space) {
          out.append(' ');
        }
        space = true;
        continue;
      }
      space = false;
      out.append(Character.toLowerCase(c));
    }
    return out.toString();
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Digits and symbols used for letters (1gn0r3 pr3v10us) back to letters. */
  static String unleet(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(switch (c) {
        case '0' -> 'o';
        case '1', '!', '|' -> 'i';
        case '3' -> 'e';
        case '4', '@' -> 'a';
        case '5', '$' -> 's';
        case '7' -> 't';
        default -> c;
      });
    }
    return out.toString();
  }

  /** The text of base64 and hex runs that decode to mostly printable ASCII. */
  static List<String> decodedRuns(String s) {
    List<String> out = new ArrayList<>();
    if (!hasRun(s, 24)) {
      return out; // no run of 24 base64 characters: neither pattern below can match
    }
    Matcher b = BASE64_RUN.matcher(s);
    while (b.find() && out.size() < 16) {
      String run = b.group();
      try {
        byte[] bytes = Base64.getDecoder().decode(run.length() % 4 == 0 ? run : run.substring(0, run.length() - run.length() % 4));
        addIfText(out, bytes);
      } catch (IllegalArgumentException e) {
        // not base64 after all
      }
    }
    Matcher h = HEX_RUN.matcher(s);
    while (h.find() && out.size() < 32) {
      String run = h.group();
      byte[] bytes = new byte[run.length() / 2];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) Integer.parseInt(run.substring(2 * i, 2 * i + 2), 16);
      }
      addIfText(out, bytes);
    }
    return out;
  }

  /** Whether {@code s} holds {@code n} base64 alphabet characters in a row (hex digits are among them). */
  private static boolean hasRun(String s, int n) {
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
        if (++run >= n) {
          return true;
        }
      } else {
        run = 0;
      }
    }
    return false;
  }

  private static void addIfText(List<String> out, byte[] bytes) {
    int printable = 0;
    for (byte x : bytes) {
      if ((x >= 32 && x < 127) || x == '\n') {
        printable++;
      }
    }
    if (bytes.length > 0 && printable >= bytes.length * 0.9) {
      out.add(new String(bytes, StandardCharsets.US_ASCII));
    }
  }
}
