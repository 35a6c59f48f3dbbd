package io.portcullis.scrub;

/** A piece of text [start, end) that a rule says must not pass. */
public record Finding(int start, int end, String rule, int priority) {}
