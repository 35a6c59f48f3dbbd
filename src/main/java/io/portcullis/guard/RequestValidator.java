package io.portcullis.guard;

import io.portcullis.config.GuardConfig;
import io.portcullis.format.Violation;
import io.portcullis.format.WireFormat;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Checks a parsed request body against its endpoint's shape and the caller's limits, once, on the
 * tree the parser built (no second parse). The first violation is returned as a message that names
 * the field ({@code messages[3].content: longer than 32000 characters}); null when the body passes.
 * With {@code unknown_fields: strip} the body is changed in place. On the way it collects the text
 * the injection screen reads (user and tool messages).
 */
public final class RequestValidator {

  private RequestValidator() {}

  /** What validation leaves for the next guard: the texts to screen. */
  public static final class Result {
    public Violation violation;
    public final List<String> screened = new ArrayList<>();
  }

  public static Result validate(WireFormat format, String path, JsonObject body, GuardConfig.Validation rules) {
    Result r = new Result();
    r.violation = fields(format, path, body, rules);
    if (r.violation == null) {
      r.violation = format.validate(body, rules, r.screened);
    }
    return r;
  }

  /** Forbidden and unknown top-level fields. */
  private static Violation fields(WireFormat format, String path, JsonObject body, GuardConfig.Validation rules) {
    Set<String> known = format.fields();
    for (Iterator<String> it = body.fieldNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      if (rules.forbidden().contains(name)) {
        return new Violation("parameter_not_allowed", name, "not allowed for your role");
      }
      if (!known.contains(name)) {
        switch (rules.unknownFields()) {
          case REJECT -> {
            return new Violation("unknown_parameter", shortName(name), "not a parameter of " + path);
          }
          case STRIP -> it.remove();
          case PASS -> { } // the provider decides
        }
      }
    }
    return null;
  }

  /** A field name as quoted back: cut, so an error never echoes much of what the client sent. */
  private static String shortName(String name) {
    return name.length() > 40 ? name.substring(0, 40) + "..." : name;
  }}
