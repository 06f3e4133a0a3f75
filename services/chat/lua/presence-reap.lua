-- Removes the room's expired members (their replica stopped refreshing them: it crashed or lost
-- Redis) and returns their data, each to exactly one caller, which announces them as gone.
--
-- KEYS[1]  the room's expiry set    KEYS[2]  the room's member data
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local reaped = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  local data = redis.call('HGET', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  if data then reaped[#reaped + 1] = data end
end
return reaped
