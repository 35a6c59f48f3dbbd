package io.portcullis.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of ARCHITECTURE.md, checked on the compiled classes: packages form a DAG; the floor
 * ({@code ingress}) and the layers under it ({@code config}, {@code sse}, {@code format}) import no
 * feature; only the roof ({@code server}, and the entry point) knows every feature; no class outside
 * {@code format} branches on a provider's wire format; and imports, not inline qualified names, show
 * each file's dependencies.
 */
class ArchitectureTest {

  static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.portcullis");

  static final String[] FEATURES = {"io.portcullis.auth..", "io.portcullis.guard..", "io.portcullis.limit..",
      "io.portcullis.scrub..", "io.portcullis.forward..", "io.portcullis.observe..", "io.portcullis.mock..",
      "io.portcullis.loadgen.."};

  @Test
  void packagesFormNoCycle() {
    slices().matching("io.portcullis.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theFloorAndWhatIsUnderItImportNoFeature() {
    noClasses().that().resideInAnyPackage("io.portcullis.ingress..", "io.portcullis.format..", "io.portcullis.config..",
            "io.portcullis.sse..")
        .should().dependOnClassesThat().resideInAnyPackage(FEATURES).check(MAIN);
    noClasses().that().resideInAnyPackage("io.portcullis.ingress..", "io.portcullis.format..", "io.portcullis.config..",
            "io.portcullis.sse..")
        .should().dependOnClassesThat().resideInAnyPackage("io.portcullis.server..").check(MAIN);
  }

  @Test
  void onlyTheRoofKnowsTheRoof() {
    noClasses().that().resideInAnyPackage(FEATURES).should().dependOnClassesThat().resideInAnyPackage("io.portcullis.server..")
        .check(MAIN);
  }

  @Test
  void underTheFloorNothingKnowsTheFloor() {
    noClasses().that().resideInAnyPackage("io.portcullis.format..", "io.portcullis.config..", "io.portcullis.sse..")
        .should().dependOnClassesThat().resideInAnyPackage("io.portcullis.ingress..").check(MAIN);
  }

  /** Which endpoint or provider type a request has is asked of its format, never compared to a constant elsewhere. */
  @Test
  void onlyFormatsBranchOnAFormat() throws IOException {
    Pattern branch = Pattern.compile("(ProviderType\\.(OPENAI|ANTHROPIC|GEMINI)|Endpoint\\.(CHAT_COMPLETIONS|RESPONSES|EMBEDDINGS|MESSAGES)"
        + "|case (CHAT_COMPLETIONS|RESPONSES|EMBEDDINGS|MESSAGES|OPENAI|ANTHROPIC|GEMINI)\\b)");
    List<String> found = new ArrayList<>();
    for (Path file : sources()) {
      String path = file.toString().replace('\\', '/');
      if (path.contains("/io/portcullis/format/")) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (!line.startsWith("*") && !line.startsWith("//") && branch.matcher(line).find()
            && !(path.endsWith("/ingress/Endpoint.java") && line.contains("WireFormat."))
            && !(path.endsWith("/config/ProviderType.java"))
            && !(path.endsWith("/config/ConfigLoader.java") && line.contains("return ProviderType.OPENAI;"))) {
          found.add(path + ":" + (i + 1) + ": " + line);
        }
      }
    }
    assertThat(found).as("branches on a format outside format/").isEmpty();
  }

  @Test
  void noInlineQualifiedNames() throws IOException {
    Pattern qualified = Pattern.compile("\\bio\\.portcullis\\.[a-z]\\w*(?:\\.[a-z]\\w*)*\\.[A-Z]");
    List<String> found = new ArrayList<>();
    for (Path file : sources()) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.startsWith("import ") || line.startsWith("package ") || line.startsWith("//") || line.startsWith("*")
            || line.startsWith("/*")) {
          continue;
        }
        Matcher m = qualified.matcher(line);
        if (m.find()) {
          found.add(file + ":" + (i + 1) + ": " + line);
        }
      }
    }
    assertThat(found).as("inline qualified names (import the class instead)").isEmpty();
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    }
  }
}
