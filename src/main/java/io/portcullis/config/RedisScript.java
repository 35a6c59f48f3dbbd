package io.portcullis.config;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Lua script from {@code redis/*.lua} (shipped inside the jar), run by EVALSHA. Scripts are read
 * when their holder class is first used, which the gateway makes happen at start on the starting
 * thread, so no event loop ever reads the jar. When Redis does not know the script (NOSCRIPT: a
 * restart, a failover), the call is repeated once with EVAL, which loads it again.
 */
public final class RedisScript {

  private final String text;
  private final String sha;

  private RedisScript(String text) {
    this.text = text;
    this.sha = sha1(text);
  }

  public static RedisScript load(String resource) {
    try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  public String text() {
    return text;
  }

  public String sha() {
    return sha;
  }

  /** Runs the script: {@code keysAndArgs} starts with the number of keys, as EVAL's arguments do. */
  public Future<Response> run(RedisAPI redis, List<String> keysAndArgs, long timeoutMs) {
    List<String> evalsha = new ArrayList<>(keysAndArgs.size() + 1);
    evalsha.add(sha);
    evalsha.addAll(keysAndArgs);
    return redis.evalsha(evalsha).recover(err -> {
      if (err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")) {
        List<String> eval = new ArrayList<>(keysAndArgs.size() + 1);
        eval.add(text);
        eval.addAll(keysAndArgs);
        return redis.eval(eval);
      }
      return Future.failedFuture(err);
    }).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
