package io.portcullis.config;

/** One (provider, upstream model) pair: a pinned upstream version behind a stable alias. */
public record TargetConfig(String provider, String model) {}
