-- Appends a message to its room's history and publishes it, in one atomic step, so that history
-- order and live order can never differ. Redis assigns the id; the frame is built around it here.
--
-- KEYS[1]  the room's history stream
-- ARGV[1]  the room's channel
-- ARGV[2]  envelope header: version and accept time, 9 bytes (src/broker/envelope.ts)
-- ARGV[3]  frame head, up to the id         ARGV[4]  frame body, after the id (what history keeps)
-- ARGV[5]  history size                      ARGV[6]  history TTL in seconds, 0 for none
-- Returns the message id.
local size = tonumber(ARGV[5])
local id = redis.call('XADD', KEYS[1], '*', 'b', ARGV[4])

-- The oldest messages go in batches (a tenth of the size: amortized O(1) per message), with XDEL
-- rather than XADD MAXLEN or XTRIM: only XDEL records the newest id removed (max-deleted-entry-id),
-- which is how history.lua tells a client whose `since` is older that it missed messages.
local batch = size == 0 and 0 or math.max(1, math.floor(size / 10))
local excess = redis.call('XLEN', KEYS[1]) - size
if excess > batch then
  local ids = {}
  for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)) do
    ids[#ids + 1] = entry[1]
    if #ids == 1000 then
      redis.call('XDEL', KEYS[1], unpack(ids))
      ids = {}
    end
  end
  if #ids > 0 then redis.call('XDEL', KEYS[1], unpack(ids)) end
end

if tonumber(ARGV[6]) > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[6])
end
redis.call('PUBLISH', ARGV[1], ARGV[2] .. string.char(#id) .. id .. ARGV[3] .. id .. ARGV[4])
return id
