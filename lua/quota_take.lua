-- quota_take: count a new message against its sender, before the message itself is written.
-- KEYS[1] quota:{sender} (sliding log of message ids)  KEYS[2] sent:{sender} (the sender's messages)
-- ARGV[1] id  ARGV[2] messages-per-window limit (0 = unlimited)  ARGV[3] window ms
-- The sender's keys and the message's keys are in different cluster slots, so this runs first, on its
-- own, and enqueue second. An id already listed is a retry: it was counted then, so it is not counted
-- (or refused) again. Nothing is given back when enqueue then answers 'conflict': the id is taken by a
-- message, which stays counted and listed. A crash between the two leaves the id counted and listed
-- without a history (the history list skips it); the quota forgets it within the window.
-- Returns {'ok', 1} (counted now) | {'ok', 0} (counted before) | {'quota', retryAfterMs, limit}
local id = ARGV[1]
if redis.call('ZSCORE', KEYS[2], id) then
  return {'ok', 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    local retry = tonumber(oldest[2]) + window - now
    if retry < 1000 then retry = 1000 end
    return {'quota', tostring(retry), tostring(limit)}
  end
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('PEXPIRE', KEYS[1], window)
end
redis.call('ZADD', KEYS[2], now, id)
return {'ok', 1}
