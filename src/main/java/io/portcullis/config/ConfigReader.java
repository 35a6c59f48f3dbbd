package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Walks a parsed YAML tree and reads typed values, collecting every problem with the path of the
 * value at fault ({@code providers[1].base_url: not a URL}) instead of stopping at the first.
 */
final class ConfigReader {

  private final List<String> problems = new ArrayList<>();
  private final EnvInterpolation env;

  ConfigReader(EnvInterpolation env) {
    this.env = env;
  }

  List<String> problems() {
    return problems;
  }

  /** A problem found outside the reader (a feature's check), with its full path. */
  void problem(String path, String message) {
    problems.add(path + ": " + message);
  }

  Section root(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return new Section(null, "");
    }
    if (!node.isObject()) {
      problems.add("(root): must be a mapping of options");
      return new Section(null, "");
    }
    return new Section(node, "");
  }

  /** One mapping of the config, at a known path. */
  final class Section {
    private final JsonNode node;
    private final String path;

    private Section(JsonNode node, String path) {
      this.node = node;
      this.path = path;
    }

    String path(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    void problem(String key, String message) {
      problems.add(path(key) + ": " + message);
    }

    /**
     * One word of an enum's (its constants in lower case), or the fallback (null: the key is
     * optional). YAML 1.1 reads a bare {@code off} as the boolean false: a word {@code off} gets it back.
     */
    <E extends Enum<E>> E word(String key, Class<E> type, E fallback) {
      String value = optionalString(key);
      if (value == null) {
        return fallback;
      }
      E[] words = type.getEnumConstants();
      for (E w : words) {
        String name = w.name().toLowerCase(Locale.ROOT);
        if (name.equals(value) || (name.equals("off") && value.equals("false"))) {
          return w;
        }
      }
      StringBuilder list = new StringBuilder();
      for (int i = 0; i < words.length; i++) {
        list.append(i == 0 ? "" : i == words.length - 1 ? " or " : ", ").append(words[i].name().toLowerCase(Locale.ROOT));
      }
      problem(key, "must be " + list + ", got '" + value + "'");
      return fallback;
    }

    boolean has(String key) {
      return node != null && node.has(key) && !node.get(key).isNull();
    }

    /** Refuses keys this section does not know: a typo must not be silently ignored. */
    void only(Set<String> known) {
      if (node == null) {
        return;
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!known.contains(key)) {
          problem(key, "unknown option (known: " + String.join(", ", new TreeSet<>(known)) + ")");
        }
      }
    }

    private String scalar(String key, JsonNode value) {
      if (!value.isValueNode()) {
        problem(key, "must be a single value");
        return null;
      }
      return interpolate(path(key), value.asText());
    }

    String string(String key, String fallback) {
      if (!has(key)) {
        if (fallback == null) {
          problem(key, "is required");
        }
        return fallback;
      }
      String value = scalar(key, node.get(key));
      return value == null ? fallback : value;
    }

    /** The value at {@code key}, or null when it is not there. */
    String optionalString(String key) {
      return has(key) ? scalar(key, node.get(key)) : null;
    }

    int integer(String key, int fallback, int min, int max) {
      return (int) longInteger(key, fallback, min, max);
    }

    long longInteger(String key, long fallback, long min, long max) {
      if (!has(key)) {
        return fallback;
      }
      String text = scalar(key, node.get(key));
      if (text == null) {
        return fallback;
      }
      try {
        long value = Long.parseLong(text.trim());
        if (value < min || value > max) {
          problem(key, "must be between " + min + " and " + max + ", got " + value);
          return fallback;
        }
        return value;
      } catch (NumberFormatException e) {
        problem(key, "not an integer: '" + text + "'");
        return fallback;
      }
    }

    double decimal(String key, double fallback, double min, double max) {
      if (!has(key)) {
        return fallback;
      }
      String text = scalar(key, node.get(key));
      if (text == null) {
        return fallback;
      }
      try {
        double value = Double.parseDouble(text.trim());
        if (!(value >= min && value <= max)) {
          problem(key, "must be between " + min + " and " + max + ", got " + text);
          return fallback;
        }
        return value;
      } catch (NumberFormatException e) {
        problem(key, "not a number: '" + text + "'");
        return fallback;
      }
    }

    boolean bool(String key, boolean fallback) {
      if (!has(key)) {
        return fallback;
      }
      String text = scalar(key, node.get(key));
      if ("true".equalsIgnoreCase(text)) {
        return true;
      }
      if ("false".equalsIgnoreCase(text)) {
        return false;
      }
      if (text != null) {
        problem(key, "must be true or false, got '" + text + "'");
      }
      return fallback;
    }

    Duration duration(String key, Duration fallback) {
      return duration(key, fallback, false);
    }

    /** A duration that may be zero (a delay that can be switched off). */
    Duration delay(String key) {
      return duration(key, Duration.ZERO, true);
    }

    private Duration duration(String key, Duration fallback, boolean zeroAllowed) {
      if (!has(key)) {
        return fallback;
      }
      String text = scalar(key, node.get(key));
      if (text == null) {
        return fallback;
      }
      Duration d = Durations.parse(text);
      if (d == null) {
        problem(key, "not a duration: '" + text + "' (write e.g. 250ms, 30s, 5m, 1h)");
        return fallback;
      }
      if (d.isZero() && !zeroAllowed) {
        problem(key, "must be greater than zero");
        return fallback;
      }
      return d;
    }

    long bytes(String key, long fallback) {
      if (!has(key)) {
        return fallback;
      }
      String text = scalar(key, node.get(key));
      if (text == null) {
        return fallback;
      }
      long n = ByteSizes.parse(text);
      if (n <= 0) {
        problem(key, "not a positive size: '" + text + "' (write e.g. 65536, 512KiB, 1MiB)");
        return fallback;
      }
      return n;
    }

    Section section(String key) {
      if (!has(key)) {
        return new Section(null, path(key));
      }
      JsonNode child = node.get(key);
      if (!child.isObject()) {
        problem(key, "must be a mapping of options");
        return new Section(null, path(key));
      }
      return new Section(child, path(key));
    }

    /** The list at {@code key}, or null (with a problem when it is there but not a list). */
    private JsonNode list(String key) {
      if (!has(key)) {
        return null;
      }
      JsonNode list = node.get(key);
      if (!list.isArray()) {
        problem(key, "must be a list");
        return null;
      }
      return list;
    }

    List<Section> sections(String key) {
      List<Section> out = new ArrayList<>();
      JsonNode list = list(key);
      for (int i = 0; list != null && i < list.size(); i++) {
        String itemPath = path(key) + "[" + i + "]";
        if (!list.get(i).isObject()) {
          problems.add(itemPath + ": must be a mapping of options");
        } else {
          out.add(new Section(list.get(i), itemPath));
        }
      }
      return out;
    }

    List<String> strings(String key) {
      List<String> out = new ArrayList<>();
      JsonNode list = list(key);
      for (int i = 0; list != null && i < list.size(); i++) {
        String itemPath = path(key) + "[" + i + "]";
        JsonNode item = list.get(i);
        if (!item.isValueNode() || item.isNull()) {
          problems.add(itemPath + ": must be a single value");
          continue;
        }
        String value = interpolate(itemPath, item.asText());
        if (value != null) {
          out.add(value);
        }
      }
      return out;
    }

    /** The mapping at {@code key} whose values are sections, by key, in file order. */
    Map<String, Section> sectionMap(String key) {
      Map<String, Section> out = new LinkedHashMap<>();
      Section s = section(key);
      if (s.node == null) {
        return out;
      }
      for (Iterator<String> it = s.node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        out.put(name, s.section(name));
      }
      return out;
    }

    Map<String, String> stringMap(String key) {
      Map<String, String> out = new LinkedHashMap<>();
      Section s = section(key);
      if (s.node == null) {
        return out;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = s.node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String value = s.string(e.getKey(), "");
        out.put(e.getKey(), value);
      }
      return out;
    }

    private String interpolate(String at, String text) {
      return env.apply(text, problem -> problems.add(at + ": " + problem));
    }
  }
}
