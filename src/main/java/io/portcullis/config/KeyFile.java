package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The API key file store: a YAML list of {@link StoredKey}s (hashes only). Read when the config is
 * loaded (so a change is picked up by a reload), written whole and atomically by the
 * {@code keys} commands. A missing file is an empty store.
 */
public final class KeyFile {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{8,32}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private KeyFile() {}

  /** Reads the keys; each problem (with its path) goes to {@code problems}. Blocking. */
  public static List<StoredKey> read(Path file, Consumer<String> problems) {
    List<StoredKey> out = new ArrayList<>();
    JsonNode keys = list(file, "keys", problems, true);
    if (keys == null) {
      return out;
    }
    for (int i = 0; i < keys.size(); i++) {
      JsonNode k = keys.get(i);
      String at = file + ": keys[" + i + "]";
      String id = k.path("id").asText("");
      String hash = k.path("hash").asText("");
      if (!ID.matcher(id).matches() || !HASH.matcher(hash).matches() || k.path("user").asText("").isEmpty()) {
        problems.accept(at + ": needs an id (8-32 letters and digits), a hash (64 hex digits) and a user");
        continue;
      }
      List<String> roles = new ArrayList<>();
      k.path("roles").forEach(r -> roles.add(r.asText()));
      try {
        out.add(new StoredKey(id, hash, k.path("user").asText(), k.hasNonNull("team") ? k.get("team").asText() : null,
            roles, instant(k.get("created")), instant(k.get("expires")), instant(k.get("retires")),
            k.path("revoked").asBoolean(false)));
      } catch (DateTimeParseException e) {
        problems.accept(at + ": created, expires and retires must be ISO-8601 instants, e.g. 2027-01-31T00:00:00Z");
      }
    }
    return out;
  }

  /** A blocked user or team as stores name it. */
  public static final Pattern BLOCKED = Pattern.compile("(user|team):.+");

  /** The users and teams the file blocks ({@code blocked:}, a list of {@code user:<name>} and {@code team:<name>}). Blocking. */
  public static Set<String> readBlocked(Path file, Consumer<String> problems) {
    Set<String> out = new LinkedHashSet<>();
    JsonNode blocked = list(file, "blocked", problems, false); // a file that is not YAML: read() says so
    if (blocked == null) {
      return out;
    }
    for (JsonNode b : blocked) {
      if (!BLOCKED.matcher(b.asText()).matches()) {
        problems.accept(file + ": blocked: '" + b.asText() + "' must be user:<name> or team:<name>");
      } else {
        out.add(b.asText());
      }
    }
    return out;
  }

  /** The list at {@code field} of the file, or null when the file, the field or a list is not there (said to {@code problems}). */
  private static JsonNode list(Path file, String field, Consumer<String> problems, boolean sayUnreadable) {
    if (!Files.exists(file)) {
      return null;
    }
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      if (sayUnreadable) {
        problems.accept("cannot read " + file + " as YAML");
      }
      return null;
    }
    JsonNode list = root == null ? null : root.get(field);
    if (list == null || list.isNull()) {
      return null;
    }
    if (!list.isArray()) {
      problems.accept(file + ": " + field + " must be a list");
      return null;
    }
    return list;
  }

  private static Instant instant(JsonNode node) {
    return node == null || node.isNull() ? null : Instant.parse(node.asText());
  }

  /** Writes the keys whole, through a temporary file and a rename, so a reader never sees half a file. */
  public static void write(Path file, List<StoredKey> keys) throws IOException {
    write(file, keys, Set.of());
  }

  /** Writes the keys and the blocked users and teams whole, through a temporary file and a rename. */
  public static void write(Path file, List<StoredKey> keys, Set<String> blocked) throws IOException {
    ObjectNode root = YAML.createObjectNode();
    if (!blocked.isEmpty()) {
      ArrayNode b = root.putArray("blocked");
      blocked.stream().sorted().forEach(b::add);
    }
    ArrayNode list = root.putArray("keys");
    for (StoredKey k : keys) {
      ObjectNode n = list.addObject();
      n.put("id", k.id()).put("hash", k.hash()).put("user", k.user());
      if (k.team() != null) {
        n.put("team", k.team());
      }
      ArrayNode roles = n.putArray("roles");
      k.roles().forEach(roles::add);
      if (k.created() != null) {
        n.put("created", k.created().toString());
      }
      if (k.expires() != null) {
        n.put("expires", k.expires().toString());
      }
      if (k.retires() != null) {
        n.put("retires", k.retires().toString());
      }
      n.put("revoked", k.revoked());
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".keys", ".tmp");
    Files.writeString(tmp, "# Portcullis API keys: hashes only. Manage with `portcullis keys ...`.\n"
        + YAML.writeValueAsString(root), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
