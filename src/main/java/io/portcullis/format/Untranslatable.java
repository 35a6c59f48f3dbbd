package io.portcullis.format;

/**
 * A request asks for what the provider's format cannot express (a parameter it lacks, a value
 * outside its range, a content type it does not take): answered with a 400 that names the field,
 * never silently dropped.
 */
public final class Untranslatable extends RuntimeException {

  private final transient Violation violation;

  public Untranslatable(String field, String message) {
    super(field + ": " + message, null, false, false);
    this.violation = new Violation("unsupported_by_provider", field, message);
  }

  public Violation violation() {
    return violation;
  }
}
