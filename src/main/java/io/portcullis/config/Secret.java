package io.portcullis.config;

/** A credential from config. Its toString never shows the value, so no log or error can leak it. */
public record Secret(String value) {

  @Override
  public String toString() {
    return "Secret[***]";
  }
}
