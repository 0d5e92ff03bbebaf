-- schedule_create: a new schedule with its first tick, or nothing.
-- KEYS[1] schedule:{sid}   KEYS[2] delivery:{sid}   KEYS[3] the due shard of sid
-- ARGV[1] sid   ARGV[2] definition JSON   ARGV[3] first occurrence (unix ms)
-- Returns 'ok' | 'exists'
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'exists'
end
redis.call('HSET', KEYS[1], 'definition', ARGV[2], 'state', 'active', 'next', ARGV[3])
set_tick(KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[3]))
return 'ok'
