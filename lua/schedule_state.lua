-- schedule_state: pause or resume a schedule.
-- Pausing removes the tick (nothing falls due while paused); resuming sets it at the next occurrence from now,
-- so occurrences of the pause are not sent afterwards.
-- KEYS[1] schedule:{sid}   KEYS[2] delivery:{sid}   KEYS[3] due shard
-- ARGV[1] sid   ARGV[2] 'pause' | 'resume'   ARGV[3] (resume) next occurrence in unix ms, '' when none is left
-- Returns {'ok', state} | {'unchanged', state} | {'ended', 'ended'} | {'missing', ''}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {'missing', ''}
end
if state == 'ended' then
  return {'ended', state}
end
if ARGV[2] == 'pause' then
  if state == 'paused' then
    return {'unchanged', state}
  end
  redis.call('HSET', KEYS[1], 'state', 'paused', 'next', '')
  clear_tick(KEYS[2], KEYS[3], ARGV[1])
  return {'ok', 'paused'}
end
if state == 'active' then
  return {'unchanged', state}
end
if ARGV[3] == '' then
  redis.call('HSET', KEYS[1], 'state', 'ended', 'next', '')
  return {'ok', 'ended'}
end
redis.call('HSET', KEYS[1], 'state', 'active', 'next', ARGV[3])
set_tick(KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[3]))
return {'ok', 'active'}
