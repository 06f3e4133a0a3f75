-- Adds (or renames) a room member and sets its expiry from Redis's own clock, the one clock every
-- replica shares.
--
-- KEYS[1]  the room's expiry set (member id -> expiry, ms)    KEYS[2]  the room's member data
-- ARGV[1]  member id    ARGV[2]  member data (JSON)    ARGV[3]  TTL in ms
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
-- A room everybody left in a crash disappears by itself too.
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[2], ttl * 2)
return 1
