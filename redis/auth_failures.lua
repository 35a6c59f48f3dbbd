-- One failed authentication of one client address, counted for the whole cluster.
-- KEYS[1]: the failure count in the current window; KEYS[2]: the cool-down marker. Both carry the
-- address as their hash tag, so on a Redis Cluster they live in one slot.
-- ARGV[1]: the window (ms); ARGV[2]: failures that start a cool-down; ARGV[3]: the cool-down (ms).
-- Returns the cool-down left in ms when the address was already cooling down (this failure gets 429),
-- else 0 (this failure gets 401; the one that reaches the threshold starts the cool-down).
local left = redis.call('PTTL', KEYS[2])
if left > 0 then
  return left -- failures during a cool-down do not lengthen it
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
if n >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
end
return 0
