-- rate_take: a token bucket shared by every instance of one courier.
-- KEYS[1] rate:<channel>
-- ARGV[1] tokens per second  ARGV[2] bucket size  ARGV[3] tokens wanted
-- ARGV[4] (optional) pause in ms: the provider said "too many requests", so the bucket is first left owing
--         a pause's worth of tokens and every instance waits that long. Pauses do not add up: several at
--         once (every request in flight was refused) cost one pause.
-- Returns {granted, wait ms before asking again when nothing was granted}
local rate = tonumber(ARGV[1])
local size = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local pause = tonumber(ARGV[4]) or 0
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or size
local at = tonumber(state[2]) or now
tokens = math.min(size, tokens + (now - at) * rate / 1000)
if pause > 0 then
  tokens = math.min(tokens, -pause * rate / 1000)
end
-- A paused bucket holds a negative balance: nothing is granted until it has refilled.
local granted = math.max(0, math.min(want, math.floor(tokens)))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.max(60000, 2 * pause))
local wait = 0
if granted == 0 then
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
return {granted, wait}
