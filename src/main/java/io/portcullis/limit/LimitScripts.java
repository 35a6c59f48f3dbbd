package io.portcullis.limit;

import io.portcullis.config.RedisScript;

/** The limiter's Lua scripts: one decision of every limit of a request, and a settlement. */
public final class LimitScripts {

  public static final RedisScript SLIDING_WINDOW = RedisScript.load("redis/sliding_window.lua");
  public static final RedisScript SETTLE = RedisScript.load("redis/settle.lua");

  private LimitScripts() {}
}
