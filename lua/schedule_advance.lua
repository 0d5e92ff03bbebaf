-- schedule_advance: the occurrences of a due tick are settled; record them and move the tick to the next one.
-- Compare-and-set on the tick: only the first instance to advance a tick records it, and a schedule paused or
-- deleted meanwhile is left alone.
-- KEYS[1] schedule:{sid}   KEYS[2] occurrences:{sid}   KEYS[3] delivery:{sid}   KEYS[4] due shard   KEYS[5] claim:{sid}:schedule
-- ARGV[1] sid   ARGV[2] the tick handled (unix ms, must still be the schedule's `next`)   ARGV[3] claim owner
-- ARGV[4] next occurrence (unix ms), or '' when there is none (the schedule ends)   ARGV[5] occurrences to keep
-- ARGV[6..] occurrence records (JSON), oldest first
-- Returns 'ok' | 'stale'
local function release()
  if redis.call('GET', KEYS[5]) == ARGV[3] then
    redis.call('DEL', KEYS[5])
  end
end
local current = redis.call('HMGET', KEYS[1], 'state', 'next')
if current[1] ~= 'active' or current[2] ~= ARGV[2] then
  release()
  return 'stale'
end
for i = 6, #ARGV do
  redis.call('LPUSH', KEYS[2], ARGV[i])
end
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
if ARGV[4] == '' then
  redis.call('HSET', KEYS[1], 'state', 'ended', 'next', '')
  clear_tick(KEYS[3], KEYS[4], ARGV[1])
else
  redis.call('HSET', KEYS[1], 'next', ARGV[4])
  set_tick(KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[4]))
end
release()
return 'ok'
