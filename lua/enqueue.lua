-- enqueue: write one message atomically, or nothing.
-- KEYS[1] history:{id}   KEYS[2] delivery:{id}   KEYS[3] recipients:{id}   KEYS[4] answer:{id}
-- KEYS[5] due shard      KEYS[6] quota:{sender} (sliding one-hour log of message ids)
-- KEYS[7] sent:{sender} (the sender's messages by creation time)
-- ARGV[1] id  ARGV[2] history JSON  ARGV[3] fingerprint of the request  ARGV[4] answer JSON
-- ARGV[5] deliverAt (unix ms)  ARGV[6] messages-per-window limit (0 = unlimited)  ARGV[7] window ms
-- ARGV[8] recipients-per-message limit (0 = unlimited)  ARGV[9..] recipient user ids
-- Returns {'ok'} | {'duplicate', answerJson} | {'conflict'} | {'quota', retryAfterMs, limit}
--       | {'too_many', count, limit}
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

local recipientCount = #ARGV - 8
local maxRecipients = tonumber(ARGV[8])
if maxRecipients > 0 and recipientCount > maxRecipients then
  return {'too_many', tostring(recipientCount), tostring(maxRecipients)}
end

local limit = tonumber(ARGV[6])
local window = tonumber(ARGV[7])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - window)
  if redis.call('ZCARD', KEYS[6]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[6], 0, 0, 'WITHSCORES')
    local retry = tonumber(oldest[2]) + window - now
    if retry < 1000 then retry = 1000 end
    return {'quota', tostring(retry), tostring(limit)}
  end
end

redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[4], cjson.encode({fingerprint = ARGV[3], answer = ARGV[4]}))
local i = 9
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  redis.call('RPUSH', KEYS[3], unpack(ARGV, i, last))
  i = last + 1
end
local deliverAt = tonumber(ARGV[5])
redis.call('ZADD', KEYS[5], deliverAt, id)
redis.call('ZADD', KEYS[7], now, id)
if limit > 0 then
  redis.call('ZADD', KEYS[6], now, id)
  redis.call('PEXPIRE', KEYS[6], window)
end
if deliverAt > now then
  redis.call('SET', KEYS[2], id, 'PXAT', deliverAt)
else
  -- Due already: the delete is the signal couriers react to.
  redis.call('SET', KEYS[2], id)
  redis.call('DEL', KEYS[2])
end
return {'ok'}
