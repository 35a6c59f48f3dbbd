package io.portcullis.forward;

/** One way to serve a model: a provider and the upstream model name to ask it for. */
public record Target(Provider provider, String model) {}
