package io.portcullis.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One line of the audit trail: who did what to what, and how it ended. Never a secret: a key is
 * named by its id, a config by the SHA-256 of its text, an admin token by its configured name.
 *
 * @param id the trail's own id (a Redis stream id, or the line number of the file); null before it is stored
 * @param actor who acted: {@code admin:<token name>}, {@code cli:<OS user>}, {@code system} (a
 *     reload), or {@code ip:<address>} for a refused admin login
 * @param action what was done, {@code <object>.<verb>}: {@code key.create}, {@code user.block},
 *     {@code config.reload}, {@code admin.login} ...
 * @param target what it was done to: {@code key:<id>}, {@code user:<name>}, {@code team:<name>}, {@code config}
 * @param outcome {@code ok}, {@code refused} or {@code failed}
 * @param detail what else says what happened (roles given, how many keys were revoked, a reason)
 */
public record AuditEntry(String id, Instant time, String actor, String action, String target, String outcome,
    JsonObject detail) {

  public AuditEntry {
    detail = detail == null ? new JsonObject() : detail.copy();
  }

  public static AuditEntry ok(String actor, String action, String target, JsonObject detail) {
    return new AuditEntry(null, Instant.now(), actor, action, target, "ok", detail);
  }

  public static AuditEntry refused(String actor, String action, String target, String reason) {
    return new AuditEntry(null, Instant.now(), actor, action, target, "refused", new JsonObject().put("reason", reason));
  }

  public AuditEntry withId(String newId) {
    return new AuditEntry(newId, time, actor, action, target, outcome, detail);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    if (id != null) {
      o.put("id", id);
    }
    return o.put("time", time.toString()).put("actor", actor).put("action", action).put("target", target)
        .put("outcome", outcome).put("detail", detail);
  }

  public static AuditEntry fromJson(String id, JsonObject o) {
    return new AuditEntry(id, Instant.parse(o.getString("time")), o.getString("actor"), o.getString("action"),
        o.getString("target"), o.getString("outcome"), o.getJsonObject("detail"));
  }
}
