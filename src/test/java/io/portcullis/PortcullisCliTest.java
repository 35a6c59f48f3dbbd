package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PortcullisCliTest {

  @Test
  void checkValidatesWithoutStarting(@TempDir Path dir) throws Exception {
    assertThat(new CommandLine(new Portcullis()).execute("check", "-c", "conf/portcullis.yaml")).isZero();
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "providers: [{name: a, base_url: nope}]\nmodels: []\n");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    System.setErr(new java.io.PrintStream(err, true));
    try {
      assertThat(new CommandLine(new Portcullis()).execute("check", "-c", bad.toString())).isEqualTo(2);
    } finally {
      System.setErr(old);
    }
    assertThat(err.toString()).contains("providers[0].base_url: not a URL");
    assertThat(new CommandLine(new Portcullis()).execute("check", "-c", dir.resolve("missing.yaml").toString())).isEqualTo(2);
  }
}
