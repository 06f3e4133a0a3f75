-- Extends the expiry of members still present (ZADD XX: a member removed meanwhile stays removed).
--
-- KEYS[1]  the room's expiry set    KEYS[2]  the room's member data
-- ARGV[1]  TTL in ms    ARGV[2..]  member ids
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[2], ttl * 2)
return 1
