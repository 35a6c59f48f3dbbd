package io.portcullis.mock;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * One request to the mock: the request and its JSON body, the model it named (without directives),
 * the behaviour its directives set, and the server's Vert.x and counters (for streams).
 */
record MockExchange(Vertx vertx, MockStats stats, HttpServerRequest req, JsonObject body, String model, MockBehaviour behaviour) {}
