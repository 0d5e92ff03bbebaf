-- report: record receipts of one channel, update its section of the history, and finish it.
-- KEYS[1] history:{id}  KEYS[2] receipts:{id}  KEYS[3] claim:{id}:<channel>  KEYS[4] due shard
-- ARGV[1] channel  ARGV[2] owner  ARGV[3] final (1|0)  ARGV[4] now (ISO-8601)  ARGV[5] id
-- ARGV[6..] receipts as quadruples: field (<channel>:<userId>), status (sent|failed|no_contact|expired),
--           error class ('' when none), receipt JSON.
-- A receipt already present is kept and not counted again, so a resent batch never double counts.
-- The final report of the last expected channel sets the message done and drops it from the due index.
-- Returns {'ok', cancelled 0|1, newly recorded} | {'lost', cancelled 0|1, newly recorded}
--       | {'missing'}
local h = redis.call('GET', KEYS[1])
if not h then
  return {'missing'}
end
local doc = cjson.decode(h)
local section = doc.channels[ARGV[1]]
if not section then
  return {'missing'}
end
local counters = {sent = 'sent', failed = 'failed', no_contact = 'noContact', expired = 'expired'}
local added = 0
local i = 6
while i + 3 <= #ARGV do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 3]) == 1 then
    added = added + 1
    local counter = counters[ARGV[i + 1]]
    if counter then
      section[counter] = (tonumber(section[counter]) or 0) + 1
    end
    local class = ARGV[i + 2]
    if class ~= '' then
      if type(section.errors) ~= 'table' then
        section.errors = {}
      end
      section.errors[class] = (tonumber(section.errors[class]) or 0) + 1
    end
  end
  i = i + 4
end

local holds = redis.call('GET', KEYS[3]) == ARGV[2]
local cancelled = doc.state == 'cancelled' and 1 or 0
local changed = added > 0
if ARGV[3] == '1' and holds and section.state ~= 'done' then
  section.state = 'done'
  section.finishedAt = ARGV[4]
  redis.call('DEL', KEYS[3])
  changed = true
  local all = true
  for _, name in ipairs(doc.expectedChannels) do
    local s = doc.channels[name]
    if s and s.state ~= 'done' then
      all = false
    end
  end
  if all then
    if doc.state ~= 'cancelled' then
      doc.state = 'done'
    end
    doc.finishedAt = ARGV[4]
    redis.call('ZREM', KEYS[4], ARGV[5])
  end
end
if changed then
  redis.call('SET', KEYS[1], history_encode(doc))
end
if ARGV[3] == '1' and not holds then
  return {'lost', cancelled, added}
end
return {'ok', cancelled, added}
