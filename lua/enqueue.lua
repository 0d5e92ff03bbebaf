-- enqueue: write one message atomically, or nothing. Every key is in the message's slot: ids Ada makes
-- hash to a due shard's slot (Keys.DueShardOf). The sender's quota was counted before (quota_take).
-- KEYS[1] history:{id}   KEYS[2] delivery:{id}   KEYS[3] recipients:{id}   KEYS[4] answer:{id}
-- KEYS[5] due shard
-- ARGV[1] id  ARGV[2] history JSON  ARGV[3] fingerprint of the request  ARGV[4] answer JSON
-- ARGV[5] deliverAt (unix ms)  ARGV[6..] recipient user ids
-- Returns {'ok'} | {'duplicate', answerJson} | {'conflict'}
local id = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local previous = redis.call('GET', KEYS[4])
if previous then
  local p = cjson.decode(previous)
  if p.fingerprint == ARGV[3] then
    return {'duplicate', p.answer}
  end
  return {'conflict'}
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'conflict'}
end

redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[4], cjson.encode({fingerprint = ARGV[3], answer = ARGV[4]}))
local i = 6
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[3], unpack(ARGV, i, last))
  i = last + 1
end
local deliverAt = tonumber(ARGV[5])
redis.call('ZADD', KEYS[5], deliverAt, id)
if deliverAt > now then
  redis.call('SET', KEYS[2], id, 'PXAT', deliverAt)
else
  -- Due already: the delete is the signal couriers react to.
  redis.call('SET', KEYS[2], id)
  redis.call('DEL', KEYS[2])
end
return {'ok'}
