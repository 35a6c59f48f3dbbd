package io.portcullis.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request bodies parsed with limits the parser itself enforces as it reads: nesting depth and
 * string length (Jackson's stream read constraints), so a hostile body is refused at the first
 * token past a limit, before a deep or huge tree is built. One mapper per pair of limits (config
 * values: a handful at most).
 */
final class ConstrainedJson {

  private ConstrainedJson() {}

  /** A body past a parser limit. */
  static final class LimitException extends RuntimeException {
    LimitException(String message) {
      super(message, null, false, false);
    }
  }

  private static final Map<Long, ObjectMapper> MAPPERS = new ConcurrentHashMap<>();

  static Object parse(Buffer body, int maxDepth, int maxStringChars) {
    ObjectMapper mapper = MAPPERS.computeIfAbsent(((long) maxDepth << 32) | maxStringChars, k -> new ObjectMapper(
        JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth)
            .maxStringLength(maxStringChars).maxNumberLength(1000).build()).build())
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS));
    Object value;
    try {
      value = mapper.readValue(body.getBytes(), Object.class);
    } catch (StreamConstraintsException e) {
      String m = e.getOriginalMessage();
      throw new LimitException(m != null && m.contains("nesting depth")
          ? "request body nests deeper than " + maxDepth + " levels"
          : m != null && m.contains("String value length") ? "a string in the request body is longer than " + maxStringChars + " characters"
          : "a number in the request body is too long");
    } catch (IOException e) {
      throw new DecodeException("not JSON");
    }
    if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) map;
      return new JsonObject(m);
    }
    return value instanceof List<?> list ? new JsonArray(list) : value;
  }
}
