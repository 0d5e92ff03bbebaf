-- send_now: deliver a scheduled message at once.
-- KEYS[1] history:{id}  KEYS[2] delivery:{id}  KEYS[3] due shard
-- ARGV[1] id  ARGV[2] now (ISO-8601)
-- Deleting the delivery key is the signal: couriers receive its `del` event.
-- Returns {'ok', historyJson} | {'missing'} | {'not_scheduled', state}
local doc, refusal = scheduled_history(KEYS[1])
if not doc then
  return refusal
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
doc.deliverAt = ARGV[2]
doc.deliverAtMs = now
local h = history_encode(doc)
redis.call('SET', KEYS[1], h)
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[2])
return {'ok', h}
