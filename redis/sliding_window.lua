-- Portcullis: one rate-limit decision over several limits, atomically, in one round trip.
--
-- Each limit is a weighted two-window counter kept in one hash (KEYS[i]), whose fields are window
-- numbers: the estimate is prev * (1 - elapsed) + cur, the previous window counted for the share of
-- it that still lies inside the trailing window. Every key of one call shares a hash tag, so the
-- script runs unchanged on Redis Cluster. Time is Redis's own (TIME), so gateways with skewed clocks
-- agree. A call either charges every limit or none.
--
-- Settlements of earlier reservations ride along: each limit may carry a correction (window number
-- and delta) applied first, to that window if it is still kept, so settling costs no call of its own.
--
-- A limit of concurrent requests is marked by a negative window (minus its lease in ms): its key is
-- a sorted set of the requests in flight scored by when their lease ends (so a crashed instance's
-- requests free their place by themselves), and the correction slot carries the request's id.
--
-- A limit with a burst guard (burst > 0) is also paced by GCRA: its hash keeps, in field 't', the
-- theoretical arrival time (ms); a request is admitted when it lands at most burst emission
-- intervals (window / limit) ahead of now, so at most burst requests pass at once and then one per
-- interval. It closes the window-edge burst a sliding window still allows.
--
-- A lease: a limit may ask for `extra` units beyond its cost, granted only as far as room allows
-- and only when the call admits (never a reason to refuse); the gateway then admits that many later
-- requests of the caller itself, without a call, until the lease ends and the rest is given back.
-- What is leased is counted here in full, so leases never let more through than the limit.
--
-- ARGV: n, then per limit: limit, window_ms, cost, correction_window, correction_delta, burst, extra
-- Returns: {allowed (1/0), retry_after_ms, then per limit: remaining, reset_ms, window_number, granted}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local allowed = 1
local retry = 0
local out = {}
local fresh = {}
local fields = {}
local tats = {}
local estimates = {}
for i = 1, n do
  local a = (i - 1) * 7
  local o = (i - 1) * 4
  local limit = tonumber(ARGV[a + 2])
  local window = tonumber(ARGV[a + 3])
  local cost = tonumber(ARGV[a + 4])
  if window < 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    local inflight = redis.call('ZCARD', KEYS[i])
    if inflight + 1 > limit then
      allowed = 0
      if retry < 1000 then retry = 1000 end
    end
    out[o + 1] = math.max(0, limit - inflight - 1)
    out[o + 2] = -window
    out[o + 3] = 0
    out[o + 4] = 0
    fresh[i] = false
  else
    local corrDelta = tonumber(ARGV[a + 6])
    if corrDelta ~= 0 and redis.call('HEXISTS', KEYS[i], ARGV[a + 5]) == 1 then
      redis.call('HINCRBY', KEYS[i], ARGV[a + 5], corrDelta)
    end
    local idx = math.floor(now / window)
    local into = now - idx * window
    fields[i] = string.format('%d', idx)
    local burst = tonumber(ARGV[a + 7])
    local counts = redis.call('HMGET', KEYS[i], fields[i], string.format('%d', idx - 1), 't')
    local cur = tonumber(counts[1] or '0')
    local prev = tonumber(counts[2] or '0')
    local estimate = prev * (window - into) / window + cur
    if burst > 0 then
      local interval = window / limit
      local tat = math.max(tonumber(counts[3] or '0'), now) + cost * interval
      tats[i] = tat
      local ahead = tat - now - burst * interval
      if ahead > 0 then
        allowed = 0
        if math.ceil(ahead) > retry then retry = math.ceil(ahead) end
      end
    end
    if estimate + cost > limit then
      allowed = 0
      local wait
      if cost > limit then
        wait = window - into + window
      elseif cur + cost <= limit then
        -- within this window, once enough of the previous one has slid out
        wait = math.ceil(window - (limit - cur - cost) * window / prev) - into
      else
        -- in the next window, once enough of this one has slid out
        wait = (window - into) + math.ceil(window - (limit - cost) * window / cur)
      end
      if wait > retry then retry = wait end
    end
    out[o + 1] = math.max(0, math.floor(limit - estimate - (allowed == 1 and cost or 0)))
    out[o + 2] = window - into
    out[o + 3] = idx
    out[o + 4] = 0
    estimates[i] = estimate
    fresh[i] = (cur == 0)
  end
end
if allowed == 1 then
  for i = 1, n do
    local a = (i - 1) * 7
    local o = (i - 1) * 4
    local window = tonumber(ARGV[a + 3])
    local cost = tonumber(ARGV[a + 4])
    local idx = out[o + 3]
    local extra = tonumber(ARGV[a + 8])
    if window > 0 and extra > 0 and not tats[i] then
      local room = math.floor(tonumber(ARGV[a + 2]) - estimates[i] - cost)
      local granted = math.max(0, math.min(extra, room))
      out[o + 4] = granted
      out[o + 1] = math.max(0, out[o + 1] - granted)
      cost = cost + granted
    end
    if window < 0 then
      redis.call('ZADD', KEYS[i], now - window, ARGV[a + 5])
      redis.call('PEXPIRE', KEYS[i], -window)
    elseif cost > 0 then
      redis.call('HINCRBY', KEYS[i], fields[i], cost)
    end
    if tats[i] then
      redis.call('HSET', KEYS[i], 't', string.format('%.3f', tats[i]))
    end
    if window > 0 and fresh[i] then
      -- the first charge of a window: drop the window before last, and keep the key two windows
      -- from now (an idle caller's key then expires by itself)
      redis.call('HDEL', KEYS[i], string.format('%d', idx - 2))
      redis.call('PEXPIRE', KEYS[i], window * 2)
    end
  end
end
return {allowed, math.max(retry, 0), unpack(out)}
