-- Reads a room's history in one consistent step: the messages after a given id, or the latest N,
-- plus the room's position (latest id) and whether messages after that id were trimmed away.
--
-- KEYS[1]  the room's history stream
-- ARGV[1]  since: a message id, or '' for the latest ARGV[2] messages
-- ARGV[2]  the most messages to return
-- Returns {position, truncated (0 or 1), id1, body1, id2, body2, ...}, oldest first.

-- a > b, for ids "<ms>-<seq>"
local function after(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end

local since, limit = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- No history (never written, or expired): a client that had seen a message missed what expired.
  local truncated = 0
  if since ~= '' and after(since, '0-0') then truncated = 1 end
  return {'0-0', truncated}
end

local position, deleted = '0-0', '0-0'
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then position = info[i + 1] end
  if info[i] == 'max-deleted-entry-id' then deleted = info[i + 1] end
end

local result = {position, 0}
if since ~= '' and after(deleted, since) then result[2] = 1 end
if limit <= 0 then return result end -- (COUNT 0 answers nil, not an empty list)
if since == '' then
  local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', limit)
  for i = #entries, 1, -1 do
    result[#result + 1] = entries[i][1]
    result[#result + 1] = entries[i][2][2]
  end
else
  local entries = redis.call('XRANGE', KEYS[1], '(' .. since, '+', 'COUNT', limit)
  for i = 1, #entries do
    result[#result + 1] = entries[i][1]
    result[#result + 1] = entries[i][2][2]
  end
end
return result
