-- Removes a room member. Returns its data only when this call removed it, so that exactly one
-- caller (a leave, a close, or a reaper) announces the departure.
--
-- KEYS[1]  the room's expiry set    KEYS[2]  the room's member data    ARGV[1]  member id
local data = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and data then
  return data
end
return false
