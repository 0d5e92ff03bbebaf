-- reschedule: move a message that has not started delivering to a new time.
-- KEYS[1] history:{id}  KEYS[2] delivery:{id}  KEYS[3] due shard
-- ARGV[1] id  ARGV[2] deliverAt (unix ms)  ARGV[3] deliverAt (ISO-8601)  ARGV[4] rescheduled JSON or ''
-- Returns {'ok', historyJson} | {'missing'} | {'not_scheduled', state}
local doc, refusal = scheduled_history(KEYS[1])
if not doc then
  return refusal
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local deliverAt = tonumber(ARGV[2])
doc.deliverAt = ARGV[3]
doc.deliverAtMs = deliverAt
if ARGV[4] ~= '' then
  doc.rescheduled = cjson.decode(ARGV[4])
else
  doc.rescheduled = cjson.null
end
local h = history_encode(doc)
redis.call('SET', KEYS[1], h)
redis.call('ZADD', KEYS[3], deliverAt, ARGV[1])
if deliverAt > now then
  redis.call('SET', KEYS[2], ARGV[1], 'PXAT', deliverAt)
else
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[2])
end
return {'ok', h}
