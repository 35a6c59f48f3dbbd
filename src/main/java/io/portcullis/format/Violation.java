package io.portcullis.format;

/** A request that breaks a rule: the offending field's path, and what is wrong with it. */
public record Violation(String code, String field, String message) {

  public String text() {
    return field + ": " + message;
  }
}
