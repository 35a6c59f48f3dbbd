package io.portcullis.web;

import io.portcullis.config.GatewayConfig;
import io.portcullis.ingress.Snapshot;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Supplier;

/**
 * The chat page at {@code /chat/}: static files from the jar ({@code web/chat}), the two libraries
 * it needs from their WebJars ({@code /chat/vendor/...}), and the limits it enforces before sending
 * ({@code /chat/limits.json}, the gateway's own). Everything comes from the gateway's origin, under
 * a content security policy of its own that allows this origin only, no inline script or style, no
 * framing; the API routes keep theirs (nothing at all).
 */
public final class ChatPage {

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private ChatPage() {}

  /** Adds the page's routes to the main listener's router. */
  public static void mount(Router router, Supplier<Snapshot> snapshots) {
    Handler<RoutingContext> headers = ctx -> {
      ctx.response().putHeader("content-security-policy", CSP).putHeader("cache-control", "no-cache");
      ctx.next();
    };
    router.get("/chat").handler(ctx -> {
      if (ctx.request().path().equals("/chat")) {
        ctx.redirect("/chat/"); // relative URLs in the page resolve under /chat/
      } else {
        ctx.next(); // the route also matches "/chat/"
      }
    });
    router.get("/chat/limits.json").handler(headers).handler(ctx -> {
      GatewayConfig config = snapshots.get().config();
      ctx.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("max_message_chars", config.guards().validation().maxMessageChars())
          .put("max_total_chars", config.guards().validation().maxTotalChars())
          .put("max_body_bytes", config.server().maxBodyBytes()).encode());
    });
    router.get("/chat/vendor/*").handler(headers).handler(StaticHandler.create("META-INF/resources/webjars")
        .setDirectoryListing(false).setIncludeHidden(false));
    router.get("/chat/*").handler(headers).handler(StaticHandler.create("web/chat").setIndexPage("index.html")
        .setDirectoryListing(false).setIncludeHidden(false));
  }
}
