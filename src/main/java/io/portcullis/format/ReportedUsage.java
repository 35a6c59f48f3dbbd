package io.portcullis.format;

/** Token counts a provider reported in a body or an event; -1 for a part it did not report. */
public record ReportedUsage(long input, long output) {}
