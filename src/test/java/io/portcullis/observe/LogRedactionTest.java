package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The log redaction on its own: credential headers in every quoting, gateway keys, scrubber rules, random placements. */
class LogRedactionTest {

  @Test
  void credentialHeadersAreMaskedHoweverALineQuotesThem() {
    String v = "Bearer abc.def-ghi_123";
    for (String line : new String[] {
        "Authorization: " + v, "authorization=" + v, "{\"authorization\":\"" + v + "\"}", "headers={Authorization=[" + v + "]}",
        "'AUTHORIZATION': '" + v + "'", "x-api-key: abc.def-ghi_123", "Proxy-Authorization: " + v, "cookie: session=abc.def-ghi_123"}) {
      String out = LogRedaction.credentialHeaders(line);
      assertThat(out).as(line).doesNotContain("abc.def").contains("[REDACTED:");
    }
    assertThat(LogRedaction.credentialHeaders("no credentials here: author=jane")).isEqualTo("no credentials here: author=jane");
    assertThat(LogRedaction.credentialHeaders("x-authorization-mode: on")).isEqualTo("x-authorization-mode: on");
  }

  @Test
  void gatewayKeysKeepTheirIdAndLoseTheirSecret() {
    String key = "pc-abcdefABCDEF-0123456789abcdefghijABCDEFGHIJ0123456789abcd";
    String out = LogRedaction.redact("key " + key + " refused");
    assertThat(out).contains("pc-abcdefABCDEF-[REDACTED:portcullis_key]").doesNotContain("0123456789abcdefghij");
  }

  @Test
  void secretsAnywhereInRandomTextNeverSurvive() {
    Random r = new Random(5);
    String[] secrets = {"sk-ant-api03-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2rSt5uVw8xYz1aBc4dEf7gHi0jKl3mNo6pQr9sTu2vWx5yZa8bCd1eFg4hIj7kLm0nOp3qRs6tUv9wXy2zAb5cDe8fGh1iJk4lMn7oPq0r-AbCdEfAA",
        "AKIAIOSFODNN7QWERTY1", "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx", "jane.doe@example.com",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"};
    String filler = "the quick brown fox, 42 jumps: over {\"a\":1} [x] ";
    for (int i = 0; i < 2000; i++) {
      String secret = secrets[r.nextInt(secrets.length)];
      int cut = r.nextInt(filler.length());
      String line = filler.substring(0, cut) + " " + secret + (r.nextBoolean() ? "\n" : " ") + filler.substring(cut);
      assertThat(LogRedaction.redact(line)).as(line).doesNotContain(secret);
    }
  }
}
