package io.portcullis.scrub;

/**
 * A piece of text [start, end) that a rule says must not pass. {@code anchor} is where the
 * detector has to start reading to find it again (before {@code start} when the finding depends on
 * text ahead of it, like the {@code scheme://user:} of a password).
 */
public record Finding(int anchor, int start, int end, String rule, int priority) {}
