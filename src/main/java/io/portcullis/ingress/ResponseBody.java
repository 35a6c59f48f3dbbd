package io.portcullis.ingress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import java.io.IOException;
import java.util.Map;

/**
 * A whole response body as the {@link ResponseFilter}s see it: decoded from JSON once, whoever asks
 * first, and encoded again only when a filter changed it. A link that needs one top-level member
 * only ({@link #member}) gets it without the whole tree being built, unless a later link will
 * build the tree anyway.
 */
public final class ResponseBody {

  private static final JsonFactory FACTORY = DatabindCodec.mapper().getFactory();

  private final int status;
  private Buffer bytes;
  private Object json;
  private boolean decoded;
  private boolean changed;
  private boolean treeWanted;

  public ResponseBody(int status, Buffer bytes) {
    this.status = status;
    this.bytes = bytes;
  }

  /** The provider's status: filters see error bodies too (they may quote the request). */
  public int status() {
    return status;
  }

  /** The decoded body (a JsonObject, JsonArray...), or null when it is not JSON. */
  public Object json() {
    if (!decoded) {
      decoded = true;
      try {
        json = Json.decodeValue(bytes);
      } catch (DecodeException e) {
        json = null;
      }
    }
    return json;
  }

  /** A link of the chain will read the decoded tree (set by the chain before the links run). */
  void wantTree() {
    treeWanted = true;
  }

  /**
   * One top-level member of a JSON object body, when it is an object (the answer's {@code usage});
   * null when absent, not an object, or the body is not a JSON object. From the tree when it is (or
   * will be) decoded; else read by a streaming parse that skips every other member unbuilt.
   */
  public JsonObject member(String name) {
    if (decoded || treeWanted) {
      return json() instanceof JsonObject o && o.getValue(name) instanceof JsonObject m ? m : null;
    }
    try (JsonParser p = FACTORY.createParser(bytes.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals(field) && value == JsonToken.START_OBJECT) {
          @SuppressWarnings("unchecked")
          Map<String, Object> member = p.readValueAs(Map.class);
          return new JsonObject(member);
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null; // not JSON: nothing to read
    }
  }

  /** A filter changed the decoded body in place: it is encoded again for the client. */
  public void changed() {
    changed = true;
  }

  /** A filter replaces the decoded body with another (a translation): later links see it, and it is encoded for the client. */
  public void replace(Object tree) {
    this.json = tree;
    this.decoded = true;
    this.changed = true;
  }

  /** A filter replaces the raw bytes (a body that is not JSON). */
  public void replace(Buffer bytes) {
    this.bytes = bytes;
    this.json = null;
    this.decoded = false;
    this.changed = false;
  }

  /** The raw bytes as received (or as replaced), whatever the filters did to the decoded tree. */
  public Buffer raw() {
    return bytes;
  }

  /** What goes to the client. */
  public Buffer bytes() {
    if (changed) {
      bytes = Json.encodeToBuffer(json);
      changed = false;
    }
    return bytes;
  }
}
