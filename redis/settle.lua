-- Portcullis: settles a token reservation with what was really used: adds delta (real - reserved,
-- possibly negative) to the window the reservation was charged to, if that window is still kept.
-- KEYS[1]: the limit's hash; ARGV: window_number, delta
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
end
return 0
