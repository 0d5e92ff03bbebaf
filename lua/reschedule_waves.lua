-- reschedule_waves: move the waves of a message that have not started (reschedule, send-now of a message with waves).
-- KEYS[1] history:{id}  KEYS[2] delivery:{id}  KEYS[3] due shard  KEYS[4] recipients:{id}
-- ARGV[1] id  ARGV[2] started waves the caller planned from  ARGV[3] the new waves after them (JSON array)
-- ARGV[4] rescheduled JSON or '' (the message's own, written only when no wave had started)
-- ARGV[5..] the recipients of the new waves, in wave order (they replace the list after the started waves)
-- Waves start in order, so the started ones are a prefix; they and their recipients stay. The due entry and the
-- delivery key are moved to the earliest wave a channel still waits for (set_tick).
-- Returns {'ok', historyJson} | {'missing'} | {'not_scheduled', state}
local h = redis.call('GET', KEYS[1])
if not h then
  return {'missing'}
end
local doc = cjson.decode(h)
if doc.state == 'done' or doc.state == 'cancelled' or type(doc.waves) ~= 'table' then
  return {'not_scheduled', doc.state}
end
local started = 0
local kept = 0
for i, wave in ipairs(doc.waves) do
  if wave.state == 'scheduled' then
    break
  end
  started = i
  kept = kept + tonumber(wave.recipients)
end
if started ~= tonumber(ARGV[2]) or started == #doc.waves then
  -- A wave started meanwhile (the caller planned from an older picture), or every wave has.
  return {'not_scheduled', doc.state}
end
local waves = {}
for i = 1, started do
  waves[i] = doc.waves[i]
end
for _, wave in ipairs(cjson.decode(ARGV[3])) do
  waves[#waves + 1] = wave
end
doc.waves = waves
if started == 0 then
  doc.deliverAt = waves[1].at
  doc.deliverAtMs = waves[1].atMs
  if ARGV[4] ~= '' then
    doc.rescheduled = cjson.decode(ARGV[4])
  else
    doc.rescheduled = cjson.null
  end
end
if kept == 0 then
  redis.call('DEL', KEYS[4])
else
  redis.call('LTRIM', KEYS[4], 0, kept - 1)
end
local i = 5
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[4], unpack(ARGV, i, last))
  i = last + 1
end
local next_due = nil
for _, name in ipairs(doc.expectedChannels) do
  local s = doc.channels[name]
  if s and s.state ~= 'done' then
    local at = tonumber(waves[(tonumber(s.wave) or 0) + 1].atMs)
    if next_due == nil or at < next_due then
      next_due = at
    end
  end
end
h = history_encode(doc)
redis.call('SET', KEYS[1], h)
if next_due then
  set_tick(KEYS[2], KEYS[3], ARGV[1], next_due)
end
return {'ok', h}
