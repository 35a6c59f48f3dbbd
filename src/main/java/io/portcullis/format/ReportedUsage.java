package io.portcullis.format;

/**
 * Token counts a provider reported in a body or an event; -1 for a part it did not report.
 *
 * @param input the prompt tokens as the provider counts them (what limits charge)
 * @param output the completion tokens
 * @param cachedInput prompt tokens read from the provider's prompt cache (billed at the cached price)
 * @param cachedInInput whether {@code input} counts the cached tokens too (OpenAI, Gemini) or not (Anthropic)
 */
public record ReportedUsage(long input, long output, long cachedInput, boolean cachedInInput) {

  /** A report without cache figures. */
  public ReportedUsage(long input, long output) {
    this(input, output, -1, true);
  }
}
