-- The room's members whose expiry has not passed, as their data (JSON).
--
-- KEYS[1]  the room's expiry set    KEYS[2]  the room's member data
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
if #ids == 0 then return {} end
local members = {}
for _, data in ipairs(redis.call('HMGET', KEYS[2], unpack(ids))) do
  if data then members[#members + 1] = data end
end
return members
