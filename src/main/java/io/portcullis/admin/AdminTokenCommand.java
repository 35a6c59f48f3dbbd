package io.portcullis.admin;

import io.portcullis.config.AdminConfig;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code portcullis admin-token --name ops --role admin}: a new admin token on stdout (shown only
 * now) and, on stderr, the config entry that accepts it (its SHA-256: the config never holds the token).
 */
@Command(name = "admin-token", description = "Make an admin API token: prints it once, and the admin.tokens entry for the config.")
public final class AdminTokenCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--name", required = true, description = "who holds it (the actor in the audit trail)") String name;
  @Option(names = "--role", defaultValue = "viewer", description = "admin (reads and changes) or viewer (reads); default viewer")
  String role;

  @Override
  public Integer call() {
    AdminConfig.Role r;
    try {
      r = AdminConfig.Role.valueOf(role.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("portcullis admin-token: --role must be admin or viewer");
      return 2;
    }
    String token = AdminTokens.generate();
    spec.commandLine().getOut().println(token);
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().printf("add to the config under admin.tokens (the token itself is shown only now):%n"
        + "  - name: %s%n    role: %s%n    sha256: %s%n", name, r.name().toLowerCase(Locale.ROOT), AdminTokens.sha256(token));
    spec.commandLine().getErr().flush();
    return 0;
  }
}
