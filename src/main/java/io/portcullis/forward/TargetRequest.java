package io.portcullis.forward;

import io.portcullis.format.Translation;
import io.portcullis.format.UpstreamFormat;
import io.vertx.core.json.JsonObject;

/**
 * A target and the request as it goes to it: in the format its provider is asked in (translated
 * when that is not the client's), without its model name, which each attempt sets.
 *
 * @param translation null when the provider speaks the client's format
 * @param body the request in the provider's format; null for the client's own (no translation), and
 *     in the route's plans, which are made before any request
 */
record TargetRequest(Target target, UpstreamFormat format, Translation translation, JsonObject body) {}
