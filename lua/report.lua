-- report: record receipts of one channel, update its section of the history, and finish it.
-- KEYS[1] history:{id}  KEYS[2] receipts:{id}  KEYS[3] claim:{id}:<channel>  KEYS[4] due shard
-- ARGV[1] channel  ARGV[2] owner  ARGV[3] final (1|0)  ARGV[4] now (ISO-8601)  ARGV[5] id
-- ARGV[6..] receipts as quadruples: field (<channel>:<userId>), status (sent|failed|no_contact|expired),
--           error class ('' when none), receipt JSON.
-- A receipt already present is kept and not counted again, so a resent batch never double counts.
-- The final report of the last expected channel sets the message done and drops it from the due index.
-- With waves (doc.waves), a final report ends the channel's current wave: the section moves on to the next
-- wave ('pending', wave + 1) unless that was the last; a wave every expected channel has passed is 'done'; the
-- due entry and the delivery key (KEYS[5]) are moved to the earliest wave a channel still waits for, so its
-- expiry wakes the couriers again (set_tick, lua/_tick.lua).
-- KEYS[5] delivery:{id} (only used for messages with waves)
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
local waves = type(doc.waves) == 'table' and doc.waves or nil
local current = tonumber(section.wave) or 0
if ARGV[3] == '1' and holds and section.state ~= 'done' and waves and current + 1 < #waves then
  -- The channel finished a wave that is not the last: it waits for the next one.
  section.state = 'pending'
  section.wave = current + 1
  redis.call('DEL', KEYS[3])
  changed = true
  local next_due = nil
  local passed = true
  for _, name in ipairs(doc.expectedChannels) do
    local s = doc.channels[name]
    if s and s.state ~= 'done' then
      local w = tonumber(s.wave) or 0
      if w <= current then
        passed = false
      end
      local at = tonumber(waves[w + 1].atMs)
      if next_due == nil or at < next_due then
        next_due = at
      end
    end
  end
  if passed and waves[current + 1].state ~= 'cancelled' then
    waves[current + 1].state = 'done'
  end
  if next_due and doc.state ~= 'cancelled' then
    -- The order now stands for the earliest wave some channel still waits for; already due: the sweep has it.
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    if next_due > now then
      set_tick(KEYS[5], KEYS[4], ARGV[5], next_due)
    end
  end
elseif ARGV[3] == '1' and holds and section.state ~= 'done' then
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
    if waves and waves[#waves].state ~= 'cancelled' then
      waves[#waves].state = 'done'
    end
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
