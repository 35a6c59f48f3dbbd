package io.portcullis.scrub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ScrubberTest {

  static final Scrubber SCRUBBER = Scrubber.builtIn(4096);

  static String b64url(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static final String JWT = b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64url("{\"sub\":\"1234567890\"}")
      + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

  /** Secrets and PII by rule, each a true positive. */
  static final List<String[]> POSITIVES = List.of(
      new String[] {"openai_key", "sk-proj-" + "Ab3dE_fGh1-jK2lMn3oPq4rSt5uVw6xYz7AbCdEfGhIj8kLmN"},
      new String[] {"openai_key", "sk-" + "T3BlbkFJabcdefghijklmnopqrstuvwxyz0123456789AB"},
      new String[] {"anthropic_key", "sk-ant-api03-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH_ij-kl"},
      new String[] {"aws_access_key", "AKIAZ7Q3XKJHGF5RT2WB"},
      new String[] {"github_token", "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"},
      new String[] {"github_token", "github_pat_11ABCDEFG0" + "a".repeat(30) + "_" + "B".repeat(41)},
      new String[] {"gitlab_token", "glpat-" + "xYz12345678901234567"},
      new String[] {"slack_token", "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"},
      new String[] {"stripe_key", "sk_live_" + "51HqLyjWDarjtT1zdp7dcXy"},
      new String[] {"google_api_key", "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"},
      new String[] {"huggingface_token", "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"},
      new String[] {"jwt", JWT},
      new String[] {"bearer_token", "Bearer abc123DEF456ghi789"},
      new String[] {"email", "jane.doe+news@mail.example.co.uk"},
      new String[] {"card_number", "4111 1111 1111 1111"},
      new String[] {"card_number", "5500-0000-0000-0004"},
      new String[] {"card_number", "378282246310005"},
      new String[] {"us_ssn", "123-45-6789"},
      new String[] {"ipv4", "192.168.10.20"},
      new String[] {"iban", "DE89 3704 0044 0532 0130 00"},
      new String[] {"iban", "GB82WEST12345698765432"},
      new String[] {"phone_number", "+44 20 7946 0958"},
      new String[] {"phone_number", "415-555-2671"},
      new String[] {"phone_number", "(415) 555-2671"},
      new String[] {"phone_number", "415 555-2671"},
      new String[] {"ipv6", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"},
      new String[] {"ipv6", "fe80::1ff:fe23:4567:890a"},
      new String[] {"ipv6", "::ffff:192.0.2.128"});

  /** Look-alikes that must pass untouched. */
  static final List<String> NEGATIVES = List.of(
      "123e4567-e89b-12d3-a456-426614174000",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "dGhpcyBpcyBqdXN0IGEgYmFzZTY0IGJsb2Igb2YgdGV4dA==",
      "version 1.2.3 and v2.10.4",
      "1234567812345670",
      "AKIAIOSFODNN7EXAMPLE",
      "a task-force of desk-lamps asks-why",
      "pip install sk-learn-tutorial-for-beginners-2024",
      "on 2024-01-15 at 10:30",
      "1.2.3.4.5 and 999.1.1.1 and 01.2.3.4",
      "user@localhost and @handle and a@b",
      "000-12-3456 and 666-12-3456 and 123-45-67 8",
      "ghp_tooShort",
      "eyJhbGciOi is not a whole token",
      "4111 1111 1111 1112",
      "gho_16C7e42F292c6912E7710c838347Ae178B4a",
      "DE89 3704 0044 0532 0130 01",
      "see https://example.com:8080/path and ftp://host/x",
      "call 555-0100 or 123-456-7890",
      "IBM DE and GB are not accounts",
      "std::vector and Class::method at 10:30:00 or a:b:c, deadbeef, cafe:babe");

  @Test
  void redactsEveryTruePositive() {
    for (String[] p : POSITIVES) {
      String text = "before " + p[1] + " after.";
      assertThat(SCRUBBER.scrub(text)).as(p[0]).isEqualTo("before [REDACTED:" + p[0] + "] after.");
    }
  }

  @Test
  void redactsOnlyThePasswordOfAConnectionString() {
    assertThat(SCRUBBER.scrub("use postgres://app:s3cr3t-P4ss@db.internal:5432/orders now"))
        .isEqualTo("use postgres://app:[REDACTED:connection_string_password]@db.internal:5432/orders now");
    assertThat(SCRUBBER.scrub("mysql://root:hunter2@dbhost/db"))
        .isEqualTo("mysql://root:[REDACTED:connection_string_password]@dbhost/db");
  }

  static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\n"
      + "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi6p5cmXK4k3aG1yP8qF0v8\n".repeat(20)
      + "-----END RSA PRIVATE KEY-----";

  @Test
  void suppressesPemPrivateKeysWholeEvenPastTheCap() {
    String text = "key:\n" + PEM + "\nthat was it; mail a@b.io";
    String expected = "key:\n[REDACTED:pem_private_key]\nthat was it; mail [REDACTED:email]";
    assertThat(SCRUBBER.scrub(text)).isEqualTo(expected);
    assertThat(SCRUBBER.scrub("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"))
        .isEqualTo("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----");
    assertThat(SCRUBBER.scrub("-----BEGIN PRIVATE KEY-----\nMIIE never closed")).isEqualTo("[REDACTED:pem_private_key]");
    Random random = new Random(9);
    for (int round = 0; round < 300; round++) {
      List<String> pieces = new ArrayList<>();
      int i = 0;
      while (i < text.length()) {
        int n = Math.min(text.length() - i, 1 + random.nextInt(round % 2 == 0 ? 5 : 90));
        pieces.add(text.substring(i, i + n));
        i += n;
      }
      String out = streamed(pieces, 64); // a cap far below the key's length: fail closed
      assertThat(out).isEqualTo(expected);
    }
  }

  @Test
  void redactsKeywordIntroducedSecretsThatLookRandom() {
    assertThat(SCRUBBER.scrub("password = \"Xk8#pq2!vL9z\"")).isEqualTo("password = \"[REDACTED:generic_secret]\"");
    assertThat(SCRUBBER.scrub("{\"client_secret\": \"q8Zr2LmP0xW7vN4s\"}")).isEqualTo("{\"client_secret\": \"[REDACTED:generic_secret]\"}");
    assertThat(SCRUBBER.scrub("DB_PASSWORD=9fK2mQ7xLp3RtY8w\n")).isEqualTo("DB_PASSWORD=[REDACTED:generic_secret]\n");
    for (String placeholder : List.of("password: changeme", "password=********", "the token is here",
        "mypassword: Xk8#pq2!vL9z", "secret: aaaaaaaabbbb", "api_key: YOUR_API_KEY")) {
      assertThat(SCRUBBER.scrub(placeholder)).as(placeholder).isEqualTo(placeholder);
    }
  }

  @Test
  void checksGithubTokenChecksums() {
    String random = "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0";
    String token = "ghs_" + random + Validators.githubChecksumOf(random);
    assertThat(Validators.githubChecksum(token)).isTrue();
    assertThat(SCRUBBER.scrub(token)).isEqualTo("[REDACTED:github_token]");
    String tampered = token.substring(0, 39) + (token.charAt(39) == 'a' ? 'b' : 'a');
    assertThat(SCRUBBER.scrub(tampered)).isEqualTo(tampered);
  }

  @Test
  void leavesHardNegativesAlone() {
    for (String n : NEGATIVES) {
      assertThat(SCRUBBER.scrub(n)).as(n).isEqualTo(n);
    }
  }

  static List<String> corpus() {
    List<String> texts = new ArrayList<>();
    StringBuilder all = new StringBuilder("Here is everything: ");
    for (String[] p : POSITIVES) {
      texts.add("The value is " + p[1] + ", keep it safe.");
      texts.add(p[1]);
      all.append(p[1]).append(p[0].length() % 2 == 0 ? " and " : "\n");
    }
    texts.add(all.toString());
    texts.add(String.join(" ", NEGATIVES) + " plain prose with ünïcødé 日本語 \uD83D\uDE00 and digits 42 7 2024.");
    texts.add("mail me at a@b.io or jane@example.com; card 4111-1111-1111-1111! ip 10.0.0.1.");
    texts.add("config: {\"password\": \"Xk8#pq2!vL9z\", \"api_key\": \"q8Zr2LmP0xW7vN4s\"} done");
    texts.add("a key " + PEM + " and after it AKIAZ7Q3XKJHGF5RT2WB.");
    texts.add("db: postgres://app:s3cr3t-P4ss@db.internal:5432/orders, iban DE89 3704 0044 0532 0130 00, tel +44 20 7946 0958.");
    return texts;
  }

  /** Compiled rule sets by hold-back cap (compiling one per call would dominate these tests' time). */
  private static final Map<Integer, Scrubber> BY_MAX_HOLD = new ConcurrentHashMap<>();

  static String streamed(List<String> pieces, int maxHold) {
    StreamScrubber s = BY_MAX_HOLD.computeIfAbsent(maxHold, Scrubber::builtIn).stream(rule -> { });
    StringBuilder out = new StringBuilder();
    for (String piece : pieces) {
      out.append(s.feed(piece));
    }
    return out.append(s.finish()).toString();
  }

  /**
   * A token's body characters may include punctuation (a JWT's dots, a key's hyphens), so the run
   * can take in what follows the token in the sentence: the match ends at the last valid point
   * instead of failing whole (a JWT before a full stop used to pass unredacted).
   */
  @Test
  void aTokenFollowedByItsOwnBodyPunctuationIsStillFoundAndThePunctuationKept() {
    String google = "AIza" + "Sy".repeat(17) + "B";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("the token is " + JWT + ".", "the token is [REDACTED:jwt].");
    cases.put("the token is " + JWT + "...", "the token is [REDACTED:jwt]...");
    cases.put("the token is " + JWT + ".\nNext line", "the token is [REDACTED:jwt].\nNext line");
    cases.put(JWT + ".", "[REDACTED:jwt].");
    cases.put("a " + JWT + ".x.y", "a [REDACTED:jwt].x.y");
    cases.put("the " + google + "-based client", "the [REDACTED:google_api_key]-based client");
    cases.put("key " + google + "_", "key [REDACTED:google_api_key]_");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      String text = c.getKey();
      assertThat(SCRUBBER.scrub(text)).as(text).isEqualTo(c.getValue());
      for (int cut = 0; cut <= text.length(); cut++) {
        assertThat(streamed(List.of(text.substring(0, cut), text.substring(cut)), 4096)).as("split at %d of %s", cut, text)
            .isEqualTo(c.getValue());
      }
    }
  }

  @Test
  void streamingEqualsBlockModeAtEverySplitPoint() {
    for (String text : corpus()) {
      String expected = SCRUBBER.scrub(text);
      for (int cut = 0; cut <= text.length(); cut++) {
        assertThat(streamed(List.of(text.substring(0, cut), text.substring(cut)), 4096))
            .as("split at %d of %s", cut, text).isEqualTo(expected);
      }
    }
  }

  @Test
  void streamingEqualsBlockModeForRandomSplits() {
    Random random = new Random(11);
    for (String text : corpus()) {
      String expected = SCRUBBER.scrub(text);
      for (int round = 0; round < 300; round++) {
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
          int n = Math.min(text.length() - i, random.nextInt(6)); // empty pieces too
          pieces.add(text.substring(i, i + n));
          i += n;
        }
        assertThat(streamed(pieces, 4096)).isEqualTo(expected);
      }
      // one character at a time: the finest split a tokenizer can make
      List<String> chars = new ArrayList<>();
      text.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
      assertThat(streamed(chars, 4096)).isEqualTo(expected);
    }
  }

  /** Pieces of every rule's grammar (prefixes, separators, digit groups, non-ASCII) to be shuffled. */
  private static final String[] FRAGMENTS = {"sk-", "sk-proj-", "sk-ant-", "AKIA", "ghp_", "github_pat_", "glpat-",
      "xoxb-", "sk_live_", "AIza", "hf_", "eyJ", "Bearer ", "-----BEGIN ", "PRIVATE KEY-----", "-----END ", "://",
      "user:", "pa$$w0rd", "@", ".", ".com", "password", "secret", "api_key", "token", " = ", ": ", "\"", "'", "+",
      "-", " ", "\n", "(", ")", "4111", "1111", "123", "45", "6789", "555", "0100", "GB82", "WEST", "1234", "5698", "DE89",
      "3704", "0044", "00", "192.168", ".1.", "255", "::", "fe80", "2001:db8", ":", "XyZ9", "kT3", "é", "日本",
      "the ", "a", "B", "0", "_", "%", "/", "EXAMPLE"};

  @Test
  void randomTextsStreamAsTheyScrubWhole() {
    // random shuffles of grammar fragments and random runs: block mode never fails, and streaming
    // in random pieces equals it (this found a digit run restarting mid-way at a piece boundary)
    Random random = new Random(42);
    for (int round = 0; round < 4000; round++) {
      StringBuilder text = new StringBuilder();
      for (int f = 1 + random.nextInt(40); f > 0; f--) {
        if (random.nextInt(4) == 0) {
          String chars = random.nextBoolean() ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" : "0123456789 -";
          for (int k = random.nextInt(50); k > 0; k--) {
            text.append(chars.charAt(random.nextInt(chars.length())));
          }
        } else {
          text.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
        }
      }
      String expected = SCRUBBER.scrub(text);
      List<String> pieces = new ArrayList<>();
      for (int i = 0; i < text.length(); ) {
        int n = Math.min(text.length() - i, random.nextInt(7));
        pieces.add(text.substring(i, i + n));
        i += n;
      }
      assertThat(streamed(pieces, 1 << 20)).as("%s", text).isEqualTo(expected);
    }
  }

  @Test
  void neverReleasesAPieceOfASecretBeforeItIsRedacted() {
    for (String[] p : POSITIVES) {
      String secret = p[1];
      String text = "token: " + secret + " end";
      StreamScrubber s = Scrubber.builtIn(4096).stream(rule -> { });
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length(); i++) {
        out.append(s.feed(text.substring(i, i + 1)));
        String released = out.toString().replaceAll("\\[REDACTED:[a-z0-9_]+]", "#");
        for (int k = 0; k + 4 <= secret.length(); k++) {
          assertThat(released).as("%s leaked after %d chars", p[0], i).doesNotContain(secret.substring(k, k + 4));
        }
      }
    }
  }

  @Test
  void proseFlowsWithoutDelay() {
    StreamScrubber s = SCRUBBER.stream(rule -> { });
    assertThat(s.feed("Hello there, ")).isEqualTo("Hello there, ");
    assertThat(s.feed("how are you? ")).isEqualTo("how are you? ");
    // a word at the end may still become an email address: held until the next character decides
    assertThat(s.feed("fine")).isEqualTo("");
    assertThat(s.feed(" thanks.")).isEqualTo("fine ");
    assertThat(s.finish()).isEqualTo("thanks.");
  }

  @Test
  void failsClosedPastTheCapAndDropsTheRestOfTheCandidate() {
    List<String> redacted = new ArrayList<>();
    StreamScrubber s = Scrubber.builtIn(64).stream(redacted::add);
    StringBuilder out = new StringBuilder(s.feed("key " + JWT.substring(0, 40)));
    out.append(s.feed(JWT.substring(40)));
    out.append(s.feed(" done"));
    out.append(s.finish());
    assertThat(out.toString()).isEqualTo("key [REDACTED:jwt] done");
    assertThat(redacted).containsExactly("jwt");
    assertThat(out.toString()).doesNotContain(JWT.substring(60, 70));
  }

  @Test
  void countsRedactionsPerRule() {
    List<String> redacted = new ArrayList<>();
    StreamScrubber s = SCRUBBER.stream(redacted::add);
    s.feed("a@b.io and c@d.io and AKIAZ7Q3XKJHGF5RT2WB ");
    s.finish();
    assertThat(redacted).containsExactly("email", "email", "aws_access_key");
  }

  @Test
  void hostileInputIsProcessedInOnePass() {
    // 1 MB of near-matches for every rule: must finish (the benchmark measures its speed)
    StringBuilder hostile = new StringBuilder();
    while (hostile.length() < 1_000_000) {
      hostile.append("sk-sk-ghp_AKIA@@a@b.1.2.3.4.5 4111 1111 eyJeyJ. Bearer x ");
    }
    String out = SCRUBBER.scrub(hostile);
    assertThat(out.length()).isPositive();
    StreamScrubber s = SCRUBBER.stream(rule -> { });
    int released = 0;
    for (int i = 0; i < hostile.length(); i += 7) {
      released += s.feed(hostile.subSequence(i, Math.min(hostile.length(), i + 7))).length();
    }
    released += s.finish().length();
    assertThat(released).isEqualTo(out.length());
  }

  /** The keyword rule's entropy, worked out from a table, is Shannon's formula. */
  @Test
  void entropyIsShannonsFormula() {
    Random r = new Random(5);
    for (int round = 0; round < 2000; round++) {
      StringBuilder v = new StringBuilder();
      for (int k = 1 + r.nextInt(140); k > 0; k--) {
        v.append(r.nextInt(10) == 0 ? (char) (0x4e00 + r.nextInt(50)) : (char) ('!' + r.nextInt(r.nextBoolean() ? 5 : 90)));
      }
      Map<Character, Integer> counts = new HashMap<>();
      v.chars().forEach(c -> counts.merge(c < 128 ? (char) c : '\u0080', 1, Integer::sum));
      double expected = 0;
      for (int c : counts.values()) {
        double p = (double) c / v.length();
        expected -= p * Math.log(p) / Math.log(2);
      }
      assertThat(KeywordSecretDetector.entropy(v, 0, v.length())).isCloseTo(expected, offset(1e-9));
    }
  }
}
