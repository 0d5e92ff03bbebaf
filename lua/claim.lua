-- claim: take (or renew) the lease of one channel of one message.
-- KEYS[1] history:{id}   KEYS[2] claim:{id}:<channel>
-- ARGV[1] channel  ARGV[2] owner (courier instance id)  ARGV[3] lease ms  ARGV[4] now (ISO-8601)
-- Optional, the courier's first batch in the same round trip (issue 11, the lag's tail): KEYS[3] recipients:{id}
-- KEYS[4] receipts:{id}  ARGV[5] batch size n. A message without waves then also returns the length of its
-- recipients snapshot, its first n user ids and, for each, 1 when it has a receipt in this channel already, 0 if not.
-- Refuses a message that is missing, cancelled, not yet due, not expecting this channel, already
-- final in this channel, or leased by another owner. A message with waves is due for a channel when the
-- wave that channel is on (section.wave, 0 when absent) is due; claiming starts that wave.
-- Returns {'ok', historyJson} | {'ok', historyJson, total, {ids}, {1|0 each}} | {'missing'} | {'cancelled'}
--       | {'not_due'} | {'not_expected'} | {'done'} | {'busy'}
local h = redis.call('GET', KEYS[1])
if not h then
  return {'missing'}
end
local doc = cjson.decode(h)
if doc.state == 'cancelled' then
  return {'cancelled'}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local section = doc.channels[ARGV[1]]
local wave = nil
if type(doc.waves) == 'table' and section then
  wave = doc.waves[(tonumber(section.wave) or 0) + 1]
end
-- One second of tolerance for clocks of the API hosts that run slightly ahead.
local dueMs = wave and tonumber(wave.atMs) or tonumber(doc.deliverAtMs)
if dueMs > now + 1000 then
  return {'not_due'}
end
if not section then
  return {'not_expected'}
end
if section.state == 'done' then
  return {'done'}
end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[2] then
  return {'busy'}
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if section.state ~= 'sending' or doc.state == 'scheduled' or section.waitingFor
    or (wave and wave.state == 'scheduled') then
  if section.state ~= 'sending' then
    section.state = 'sending'
    -- A later wave keeps the channel's first start.
    if section.startedAt == nil or section.startedAt == cjson.null then
      section.startedAt = ARGV[4]
    end
  end
  if wave and wave.state == 'scheduled' then
    wave.state = 'delivering'
  end
  -- A courier of the channel is here: it no longer waits for one.
  section.waitingFor = nil
  if doc.state == 'scheduled' then
    doc.state = 'delivering'
  end
  h = history_encode(doc)
  redis.call('SET', KEYS[1], h)
end
local n = tonumber(ARGV[5]) or 0
if n > 0 and KEYS[4] and type(doc.waves) ~= 'table' then
  local total = redis.call('LLEN', KEYS[3])
  local ids = redis.call('LRANGE', KEYS[3], 0, n - 1)
  local done = {}
  if #ids > 0 then
    local fields = {}
    for i, user in ipairs(ids) do
      fields[i] = ARGV[1] .. ':' .. user
    end
    local found = redis.call('HMGET', KEYS[4], unpack(fields))
    for i = 1, #ids do
      done[i] = found[i] and 1 or 0
    end
  end
  return {'ok', h, total, ids, done}
end
return {'ok', h}
