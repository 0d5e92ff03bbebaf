-- cancel: stop a message that is scheduled or delivering.
-- KEYS[1] history:{id}  KEYS[2] delivery:{id}  KEYS[3] due shard
-- ARGV[1] id  ARGV[2] now (ISO-8601)
-- Couriers sending it learn it from their next renew or report and stop; receipts stay as written.
-- With waves, the waves already done stay done; the others are cancelled.
-- Returns {'ok', historyJson} | {'missing'} | {'final', state}
local h = redis.call('GET', KEYS[1])
if not h then
  return {'missing'}
end
local doc = cjson.decode(h)
if doc.state == 'done' or doc.state == 'cancelled' then
  return {'final', doc.state}
end
doc.state = 'cancelled'
doc.cancelledAt = ARGV[2]
if type(doc.waves) == 'table' then
  for _, wave in ipairs(doc.waves) do
    if wave.state ~= 'done' then
      wave.state = 'cancelled'
    end
  end
end
h = history_encode(doc)
redis.call('SET', KEYS[1], h)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[2])
return {'ok', h}
