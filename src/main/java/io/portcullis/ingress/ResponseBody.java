package io.portcullis.ingress;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

/**
 * A whole response body as the {@link ResponseFilter}s see it: decoded from JSON once, whoever asks
 * first, and encoded again only when a filter changed it.
 */
public final class ResponseBody {

  private final int status;
  private Buffer bytes;
  private Object json;
  private boolean decoded;
  private boolean changed;

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

  /** A filter changed the decoded body in place: it is encoded again for the client. */
  public void changed() {
    changed = true;
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
