-- enqueue: write one message atomically, or nothing.
-- KEYS[1] history:{id}   KEYS[2] delivery:{id}   KEYS[3] recipients:{id}   KEYS[4] answer:{id}
-- KEYS[5] due shard      KEYS[6] messages:{shard} (every sender's messages; the due shard's slot)
-- KEYS[7] quota:{sender}  KEYS[8] sent:{sender}  (7 and 8 on one node only)
-- ARGV[1] id  ARGV[2] history JSON  ARGV[3] fingerprint of the request
-- ARGV[4] the answer record stored at KEYS[4], {"fingerprint": ARGV[3], "answer": answer JSON}, made by the caller
--         (encoding it here cost cjson a pass over the escaped answer on every message)
-- ARGV[5] deliverAt (unix ms)  ARGV[6] messages-per-window limit (0 = unlimited)  ARGV[7] window ms
-- ARGV[8] createdAt (unix ms; the history's own: the score in the every-sender index and the sender's list, so
--         both order messages as their histories say)
-- ARGV[9..] recipient user ids
-- On one node the sender's quota is taken here too (take_quota, lua/_quota.lua), after the idempotency
-- check. On a Redis Cluster the sender's keys are in another slot: KEYS[7] and KEYS[8] are left out and
-- quota_take ran before; KEYS[1..6] are in one slot there, because ids Ada makes hash to a due shard's slot
-- (the index of every sender's messages is sharded like the due index, so it is written here in both cases).
-- Returns {'ok'} | {'duplicate', answerJson} | {'conflict'} | {'quota', retryAfterMs, limit}
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
if #KEYS == 8 then
  local quota = take_quota(KEYS[7], KEYS[8], id, tonumber(ARGV[6]), tonumber(ARGV[7]), now, tonumber(ARGV[8]))
  if quota[1] == 'quota' then
    return quota
  end
end

redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[6], tonumber(ARGV[8]), id)
redis.call('SET', KEYS[4], ARGV[4])
local i = 9
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
