package io.portcullis.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall per rule on a labelled corpus built here, reproducibly (fixed seed).
 *
 * <p>How it is built: for every rule, {@value #PER_RULE} values are generated from the published
 * format (random bodies of the right alphabet and length, real check digits: Luhn, mod-97, the
 * GitHub CRC32), each in one of a dozen contexts a model writes (prose, quotes, JSON, code, shell,
 * markdown, a table cell, the end of a sentence). Each sample is labelled with the exact output
 * expected: the value, or only its secret part (the password of a URL, the value after a keyword),
 * replaced by the rule's mask. Next to them stand {@value #NEGATIVES} hard negatives drawn from
 * look-alikes: UUIDs, hashes, base64, versions, dates and times, order numbers, Luhn-valid numbers
 * with no issuer, documentation and placeholder keys, bad check digits, never-issued SSNs,
 * C++ scopes, hex words, handles, and prose with the keywords but no secret.
 *
 * <p>A positive counts as found only when its output is exactly the expected one (redacted whole,
 * nothing else touched). Every mask in the output that is not the expected one is a false
 * positive of its rule. What this cannot tell: how the rules fare on real text whose shapes the
 * generator does not know; the generator and the detectors read the same specifications.
 */
class ScrubCorpusTest {

  static final int PER_RULE = 400;
  static final int NEGATIVES = 6000;
  static final Scrubber SCRUBBER = Scrubber.builtIn(4096);
  static final Pattern MASK = Pattern.compile("\\[REDACTED:([a-z0-9_]+)]");

  static final List<String> CONTEXTS = List.of(
      "Here it is: %s", "The value %s was found in the logs.", "\"%s\"", "{\"value\": \"%s\", \"n\": 1}",
      "`%s`", "export VALUE='%s'", "| row | %s |", "- %s\n- next item", "(see %s)", "value=%s;",
      "<td>%s</td>", "Use %s, then retry.");

  record Sample(String rule, String text, String expected) {}

  private final Random random = new Random(20261122);

  String pick(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  int between(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
  static final String DIGITS = "0123456789";
  static final String ALNUM = UPPER + LOWER + DIGITS;
  static final String KEY = ALNUM + "_-";
  static final String HEX = "0123456789abcdef";

  static String b64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Generators of one value per rule; the value is entirely secret unless {@link #partial} says otherwise. */
  Map<String, java.util.function.Supplier<String>> generators() {
    Map<String, java.util.function.Supplier<String>> g = new LinkedHashMap<>();
    g.put("anthropic_key", () -> "sk-ant-api03-" + pick(KEY, between(80, 95)) + "AA");
    g.put("openai_key", () -> switch (random.nextInt(3)) {
      case 0 -> "sk-proj-" + pick(KEY, between(100, 156));
      case 1 -> "sk-svcacct-" + pick(KEY, between(60, 120));
      default -> "sk-" + pick(ALNUM, 48);
    });
    g.put("aws_access_key", () -> (random.nextBoolean() ? "AKIA" : "ASIA") + pick(UPPER + "234567", 16));
    g.put("github_token", () -> {
      if (random.nextInt(4) == 0) {
        return "github_pat_" + pick(ALNUM, 22) + "_" + pick(ALNUM, 59);
      }
      String body = pick(ALNUM, 30);
      return List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_").get(random.nextInt(5)) + body + Validators.githubChecksumOf(body);
    });
    g.put("gitlab_token", () -> "glpat-" + pick(KEY, 20));
    g.put("slack_token", () -> List.of("xoxb-", "xoxp-").get(random.nextInt(2)) + pick(DIGITS, 11) + "-"
        + pick(DIGITS, 13) + "-" + pick(ALNUM, 24));
    g.put("stripe_key", () -> List.of("sk_live_", "rk_live_", "sk_test_").get(random.nextInt(3)) + pick(ALNUM, between(24, 99)));
    g.put("google_api_key", () -> "AIza" + pick(KEY, 35));
    g.put("huggingface_token", () -> "hf_" + pick(ALNUM, 34));
    g.put("jwt", () -> {
      String alg = List.of("HS256", "RS256", "ES256", "PS256").get(random.nextInt(4));
      String header = "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"" + (random.nextBoolean() ? ",\"kid\":\"" + pick(ALNUM, 8) + "\"" : "") + "}";
      String payload = "{\"sub\":\"" + pick(ALNUM, 10) + "\",\"iat\":" + between(1_600_000_000, 1_800_000_000) + "}";
      byte[] sig = new byte[between(32, 64)];
      random.nextBytes(sig);
      return b64url(header.getBytes(StandardCharsets.UTF_8)) + "." + b64url(payload.getBytes(StandardCharsets.UTF_8)) + "." + b64url(sig);
    });
    g.put("bearer_token", () -> "Bearer " + pick(ALNUM + "-._~+/", between(20, 60)) + pick(ALNUM, 1));
    g.put("pem_private_key", () -> {
      String label = List.of("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY").get(random.nextInt(4));
      StringBuilder body = new StringBuilder();
      for (int line = between(3, 12); line > 0; line--) {
        body.append(pick(ALNUM + "+/", 64)).append('\n');
      }
      return "-----BEGIN " + label + "-----\n" + body + "-----END " + label + "-----";
    });
    g.put("email", () -> pick(LOWER, 1) + pick(LOWER + DIGITS + "._+-", between(0, 14)) + pick(LOWER + DIGITS, 1) + "@"
        + pick(LOWER, between(2, 10)) + (random.nextBoolean() ? "." + pick(LOWER, between(2, 8)) : "") + "."
        + List.of("com", "org", "io", "co.uk", "de", "fr", "net", "dev").get(random.nextInt(8)));
    g.put("iban", this::iban);
    g.put("card_number", this::card);
    g.put("us_ssn", () -> {
      int area = between(1, 899);
      if (area == 666) {
        area = 667;
      }
      return String.format("%03d-%02d-%04d", area, between(1, 99), between(1, 9999));
    });
    g.put("phone_number", () -> switch (random.nextInt(4)) {
      case 0 -> "+" + between(1, 99) + " " + between(10, 999) + " " + pick(DIGITS, 3) + " " + pick(DIGITS, 4);
      case 1 -> "(" + between(2, 9) + pick(DIGITS, 2) + ")" + (random.nextBoolean() ? " " : "") + between(2, 9) + pick(DIGITS, 2)
          + "-" + pick(DIGITS, 4);
      default -> between(2, 9) + pick(DIGITS, 2) + (random.nextBoolean() ? "-" : " ") + between(2, 9) + pick(DIGITS, 2)
          + (random.nextBoolean() ? "-" : " ") + pick(DIGITS, 4);
    });
    g.put("ipv4", () -> between(1, 255) + "." + between(0, 255) + "." + between(0, 255) + "." + between(1, 254));
    g.put("ipv6", () -> {
      List<String> groups = new ArrayList<>();
      for (int k = 0; k < 8; k++) {
        groups.add(Integer.toHexString(random.nextInt(0x10000)));
      }
      if (random.nextBoolean()) {
        return String.join(":", groups);
      }
      int cut = between(1, 5);
      return String.join(":", groups.subList(0, cut)) + "::" + String.join(":", groups.subList(cut + 2, 8));
    });
    return g;
  }

  /** Rules of which only a part of the generated text is secret: the sample says which part. */
  Sample partial(String rule, String context) {
    if (rule.equals("connection_string_password")) {
      String scheme = List.of("postgres", "mysql", "mongodb+srv", "redis", "amqp").get(random.nextInt(5));
      String user = pick(LOWER, between(3, 10));
      String password = pick(ALNUM + "!#$%^&*()-_=+.", between(8, 24));
      String host = pick(LOWER, between(3, 10)) + ".internal:" + between(1000, 9999) + "/" + pick(LOWER, 5);
      String text = scheme + "://" + user + ":" + password + "@" + host;
      String expected = scheme + "://" + user + ":[REDACTED:" + rule + "]@" + host;
      return new Sample(rule, String.format(context, text), String.format(context, expected));
    }
    String keyword = List.of("password", "api_key", "secret", "client_secret", "access_token", "auth_token", "DB_PASSWORD",
        "apiKey").get(random.nextInt(8));
    String separator = List.of(": ", "=", " = ", "\": \"", ":").get(random.nextInt(5));
    String value;
    do {
      value = pick(ALNUM, 1) + pick(ALNUM + "!#%^&*-_+.", between(11, 30)) + pick(DIGITS, 1);
    } while (KeywordSecretDetector.entropy(value, 0, value.length()) < 3.2);
    String lead = separator.startsWith("\"") ? "\"" : "";
    return new Sample(rule, "config: " + lead + keyword + separator + value + " end",
        "config: " + lead + keyword + separator + "[REDACTED:" + rule + "] end");
  }

  String iban() {
    Object[][] countries = {{"DE", 22}, {"GB", 22}, {"FR", 27}, {"NL", 18}, {"ES", 24}, {"IT", 27}, {"CH", 21}, {"BE", 16}};
    Object[] c = countries[random.nextInt(countries.length)];
    String country = (String) c[0];
    int length = (Integer) c[1];
    String bban = country.equals("GB") || country.equals("NL") ? pick(UPPER, 4) + pick(DIGITS, length - 8) : pick(DIGITS, length - 4);
    String check = String.format("%02d", 98 - mod97(bban + country + "00"));
    String iban = country + check + bban;
    if (random.nextBoolean()) {
      return iban;
    }
    StringBuilder grouped = new StringBuilder();
    for (int i = 0; i < iban.length(); i += 4) {
      grouped.append(i == 0 ? "" : " ").append(iban, i, Math.min(iban.length(), i + 4));
    }
    return grouped.toString();
  }

  static int mod97(String s) {
    int rest = 0;
    for (char ch : s.toCharArray()) {
      int v = Character.isDigit(ch) ? ch - '0' : ch - 'A' + 10;
      rest = v < 10 ? (rest * 10 + v) % 97 : (rest * 100 + v) % 97;
    }
    return rest;
  }

  String card() {
    String[] prefixes = {"4", "51", "52", "53", "54", "55", "2221", "34", "37", "6011", "65"};
    String prefix = prefixes[random.nextInt(prefixes.length)];
    int length = prefix.startsWith("3") ? 15 : 16;
    String partial = prefix + pick(DIGITS, length - prefix.length() - 1);
    String number = partial + luhnDigit(partial);
    return switch (random.nextInt(3)) {
      case 0 -> number;
      case 1 -> length == 16 ? number.replaceAll("(\\d{4})(?=\\d)", "$1 ") : number.substring(0, 4) + " " + number.substring(4, 10) + " " + number.substring(10);
      default -> length == 16 ? number.replaceAll("(\\d{4})(?=\\d)", "$1-") : number;
    };
  }

  static int luhnDigit(String partial) {
    int sum = 0;
    boolean dbl = true;
    for (int k = partial.length() - 1; k >= 0; k--) {
      int v = partial.charAt(k) - '0';
      if (dbl) {
        v *= 2;
        if (v > 9) {
          v -= 9;
        }
      }
      sum += v;
      dbl = !dbl;
    }
    return (10 - sum % 10) % 10;
  }

  /** Look-alikes that must come out untouched. */
  List<String> negatives() {
    List<Function<Random, String>> kinds = List.of(
        r -> java.util.UUID.nameUUIDFromBytes(pick(ALNUM, 8).getBytes(StandardCharsets.UTF_8)).toString(),
        r -> pick(HEX, 64),
        r -> pick(HEX, 40),
        r -> Base64.getEncoder().encodeToString(pick(ALNUM + " ", between(20, 60)).getBytes(StandardCharsets.UTF_8)),
        r -> "version " + between(0, 20) + "." + between(0, 40) + "." + between(0, 99),
        r -> "v" + between(0, 9) + "." + between(0, 9) + "." + between(0, 9) + "." + between(0, 9) + "." + between(0, 9),
        r -> "on " + between(1990, 2030) + "-" + String.format("%02d-%02d", between(1, 12), between(1, 28)) + " at "
            + String.format("%02d:%02d:%02d", between(0, 23), between(0, 59), between(0, 59)),
        r -> "order #" + pick(DIGITS, between(6, 10)),
        r -> { // Luhn-valid but no card issuer starts with 1, 7, 8 or 9... or the length is wrong
          String partial = List.of("1", "7", "8", "9").get(random.nextInt(4)) + pick(DIGITS, 14);
          return partial + luhnDigit(partial);
        },
        r -> "AKIA" + pick(UPPER + "234567", 9) + "EXAMPLE",
        r -> List.of("password: changeme", "api_key: YOUR_API_KEY", "token: <your-token-here>", "secret = \"\"",
            "password: ********", "api_key=${OPENAI_API_KEY}", "the password is strong", "rotate the secret monthly").get(random.nextInt(8)),
        r -> { // a GitHub-shaped token whose checksum is wrong
          String body = pick(ALNUM, 30);
          String sum = Validators.githubChecksumOf(body);
          return "ghp_" + body + sum.substring(1) + (sum.charAt(0) == 'A' ? 'B' : 'A');
        },
        r -> { // an IBAN with a broken check
          String iban = iban().replace(" ", "");
          char last = iban.charAt(iban.length() - 1);
          return iban.substring(0, iban.length() - 1) + (last == '9' ? '8' : (char) (last + 1));
        },
        r -> List.of("000", "666", "9" + pick(DIGITS, 2)).get(random.nextInt(3)) + "-" + pick("123456789", 2) + "-" + pick("123456789", 4),
        r -> "call 555-" + pick(DIGITS, 4) + " or ext. " + pick(DIGITS, 3),
        r -> between(256, 999) + "." + between(0, 255) + "." + between(0, 255) + "." + between(0, 255),
        r -> "std::" + pick(LOWER, between(3, 8)) + " and " + pick(UPPER, 1) + pick(LOWER, 5) + "::" + pick(LOWER, 6) + "()",
        r -> pick("abcdef", between(4, 8)) + " " + pick("abcdef", 4) + ":" + pick("abcdef", 4),
        r -> "@" + pick(LOWER, 8) + " and " + pick(LOWER, 5) + "@localhost",
        r -> "pip install sk-" + pick(LOWER, 5) + "-" + pick(LOWER, 6),
        r -> "eyJ" + pick(ALNUM, 10) + " is not a token",
        r -> "see https://" + pick(LOWER, 6) + ".com:" + between(80, 9999) + "/" + pick(LOWER, 5),
        r -> "sk_test_short and xoxb-12 and hf_abc and glpat-short",
        r -> "Bearer of bad news, the " + pick(LOWER, 6) + " token expired",
        r -> pick(UPPER, 2) + pick(DIGITS, 2) + " is a gate code, " + pick(UPPER, 3) + " a station");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < NEGATIVES; i++) {
      String value = kinds.get(i % kinds.size()).apply(random);
      out.add(String.format(CONTEXTS.get(random.nextInt(CONTEXTS.size())), value));
    }
    return out;
  }

  List<Sample> positives() {
    List<Sample> out = new ArrayList<>();
    generators().forEach((rule, gen) -> {
      for (int i = 0; i < PER_RULE; i++) {
        String value = gen.get();
        String context = CONTEXTS.get(random.nextInt(CONTEXTS.size()));
        out.add(new Sample(rule, String.format(context, value), String.format(context, "[REDACTED:" + rule + "]")));
      }
    });
    for (String rule : List.of("connection_string_password", "generic_secret")) {
      for (int i = 0; i < PER_RULE; i++) {
        out.add(partial(rule, CONTEXTS.get(random.nextInt(CONTEXTS.size()))));
      }
    }
    return out;
  }

  static List<String> masks(String text) {
    List<String> rules = new ArrayList<>();
    Matcher m = MASK.matcher(text);
    while (m.find()) {
      rules.add(m.group(1));
    }
    return rules;
  }

  @Test
  void precisionAndRecallPerRuleMeetTheTargets() throws Exception {
    Map<String, int[]> counts = new TreeMap<>(); // rule -> {positives, found, masks emitted, false masks}
    List<String> misses = new ArrayList<>();
    for (Sample s : positives()) {
      String out = SCRUBBER.scrub(s.text());
      int[] c = counts.computeIfAbsent(s.rule(), r -> new int[4]);
      c[0]++;
      List<String> expected = masks(s.expected());
      List<String> emitted = masks(out);
      if (out.equals(s.expected())) {
        c[1]++;
      } else if (misses.size() < 20) {
        misses.add(s.rule() + ": " + s.text() + " -> " + out);
      }
      for (String rule : emitted) {
        int[] e = counts.computeIfAbsent(rule, r -> new int[4]);
        e[2]++;
        if (!expected.remove(rule)) {
          e[3]++;
        }
      }
    }
    for (String text : negatives()) {
      String out = SCRUBBER.scrub(text);
      for (String rule : masks(out)) {
        int[] e = counts.computeIfAbsent(rule, r -> new int[4]);
        e[2]++;
        e[3]++;
        if (misses.size() < 40) {
          misses.add("false " + rule + ": " + text + " -> " + out);
        }
      }
    }
    StringBuilder table = new StringBuilder("| rule | positives | recall | precision |\n|---|---|---|---|\n");
    Map<String, double[]> scores = new TreeMap<>();
    counts.forEach((rule, c) -> {
      double recall = c[0] == 0 ? 1 : c[1] / (double) c[0];
      double precision = c[2] == 0 ? 1 : (c[2] - c[3]) / (double) c[2];
      scores.put(rule, new double[] {recall, precision});
      table.append(String.format("| `%s` | %d | %.4f | %.4f |%n", rule, c[0], recall, precision));
    });
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/scrub-corpus.md"), table + "\n" + String.join("\n", misses) + "\n");
    List<String> pii = List.of("email", "iban", "card_number", "us_ssn", "phone_number", "ipv4", "ipv6");
    scores.forEach((rule, s) -> {
      boolean isPii = pii.contains(rule);
      assertThat(s[0]).as("recall of %s (%s)", rule, misses).isGreaterThanOrEqualTo(isPii ? 0.97 : 0.99);
      assertThat(s[1]).as("precision of %s (%s)", rule, misses).isGreaterThanOrEqualTo(isPii ? 0.95 : 0.99);
    });
    assertThat(scores.keySet()).containsAll(Rules.NAMES);
  }
}
