package io.portcullis.scrub;

import io.portcullis.config.CustomRuleConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** The built-in detectors, in priority order (an earlier one wins a tie on the same text). */
public final class Rules {

  private Rules() {}

  private static final IntPredicate KEY = c -> Chars.alnum((char) c) || c == '_' || c == '-';
  private static final IntPredicate KEY_DOT = c -> KEY.test(c) || c == '.';
  private static final IntPredicate ALNUM = c -> Chars.alnum((char) c);
  private static final IntPredicate UPPER_DIGIT = c -> (c >= 'A' && c <= 'Z') || Chars.digit((char) c);
  private static final IntPredicate TOKEN68 = c -> Chars.alnum((char) c) || "-._~+/=".indexOf(c) >= 0;
  private static final IntPredicate JWT = c -> Chars.alnum((char) c) || c == '_' || c == '-' || c == '.';

  /** Every built-in rule name, in priority order. */
  public static final List<String> NAMES = builtIn().stream().flatMap(d -> d.rules().stream()).distinct().toList();

  static List<Detector> builtIn() {
    return withCustom(List.of());
  }

  /** The built-in detectors plus the operator's own prefix rules (which join the token family). */
  static List<Detector> withCustom(List<CustomRuleConfig> custom) {
    List<Detector> d = new ArrayList<>();
    int p = 0;
    d.add(new TokenDetector("anthropic_key", p++, List.of("sk-ant-"), false, KEY, 32, 200, Validators::notExample));
    d.add(new TokenDetector("openai_key", p++, List.of("sk-proj-", "sk-svcacct-", "sk-admin-"), false, KEY, 40, 250, Validators::notExample));
    // legacy keys: "sk-" and 48 letters and digits; no hyphens, so "sk-learn-..." is not one
    d.add(new TokenDetector("openai_key", p++, List.of("sk-"), false, ALNUM, 32, 64, Validators::notExample));
    d.add(new TokenDetector("aws_access_key", p++, List.of("AKIA", "ASIA", "ABIA", "ACCA"), false, UPPER_DIGIT, 16, 16, Validators::notExample));
    d.add(new TokenDetector("github_token", p++, List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), false, ALNUM, 36, 36, Validators::githubChecksum));
    d.add(new TokenDetector("github_token", p++, List.of("github_pat_"), false, KEY, 70, 100, Validators::notExample));
    // newer GitLab tokens carry ".01.<checksum>" after the secret part: the dots belong to the token
    d.add(new TokenDetector("gitlab_token", p++, List.of("glpat-"), false, KEY_DOT, 20, 100, Validators::notExample));
    d.add(new TokenDetector("slack_token", p++, List.of("xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"), false, KEY, 10, 200, Validators::notExample));
    d.add(new TokenDetector("stripe_key", p++, List.of("sk_live_", "rk_live_", "sk_test_", "rk_test_"), false, ALNUM, 16, 128, Validators::notExample));
    d.add(new TokenDetector("google_api_key", p++, List.of("AIza"), false, KEY, 35, 35, Validators::notExample));
    d.add(new TokenDetector("huggingface_token", p++, List.of("hf_"), false, ALNUM, 30, 40, Validators::notExample));
    d.add(new TokenDetector("jwt", p++, List.of("eyJ"), false, JWT, 20, 4096, Validators::jwt));
    d.add(new TokenDetector("bearer_token", p++, List.of("Bearer "), true, TOKEN68, 8, 4096, Validators::notExample));
    for (CustomRuleConfig c : custom) {
      d.add(new TokenDetector(c.name(), p++, c.prefixes(), false, CharClass.parse(c.chars()), c.minLength(),
          c.maxLength(), Validators::notExample));
    }
    d.addAll(List.of(new PemKeyDetector(p++), new ConnectionStringDetector(p++),
        new KeywordSecretDetector(p++), new EmailDetector(p++), new IbanDetector(p++),
        new DigitRunDetector(p++, p++, p++), new Ipv6Detector(p++), new Ipv4Detector(p++)));
    return List.copyOf(d);
  }
}
