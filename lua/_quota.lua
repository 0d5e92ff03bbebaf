-- Shared by quota_take and enqueue (prepended to every script at load, like _history.lua).
-- take_quota counts a new message against its sender: the messages-per-hour limit (a sliding log of ids,
-- only kept when there is a limit) and the sender's list of messages. An id already listed is a retry: it
-- was counted then, so it is not counted (or refused) again. The quota's log is scored by the server's clock
-- (now); the sender's list by the message's own createdAt (listed_at), like the every-sender index, so both
-- list a sender's messages in the order and at the times their histories say.
-- Returns {'ok', 1} (counted now) | {'ok', 0} (counted before) | {'quota', retryAfterMs, limit}
local function take_quota(quota_key, sent_key, id, limit, window, now, listed_at)
  if redis.call('ZSCORE', sent_key, id) then
    return {'ok', 0}
  end
  if limit > 0 then
    redis.call('ZREMRANGEBYSCORE', quota_key, '-inf', now - window)
    if redis.call('ZCARD', quota_key) >= limit then
      local oldest = redis.call('ZRANGE', quota_key, 0, 0, 'WITHSCORES')
      local retry = tonumber(oldest[2]) + window - now
      if retry < 1000 then retry = 1000 end
      return {'quota', tostring(retry), tostring(limit)}
    end
    redis.call('ZADD', quota_key, now, id)
    redis.call('PEXPIRE', quota_key, window)
  end
  redis.call('ZADD', sent_key, listed_at, id)
  return {'ok', 1}
end
