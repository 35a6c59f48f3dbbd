package io.portcullis.limit;

/**
 * One limit a request is counted against.
 *
 * @param key the counter's name, unique per caller, policy and kind
 * @param kind {@code requests} or {@code tokens} (for the response headers)
 * @param cost what this request costs (1 request; its reserved tokens)
 */
public record Charge(String key, String kind, long limit, long windowMs, long cost) {}
