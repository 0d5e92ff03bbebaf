-- schedule_delete: a schedule, its occurrences and its tick are gone; messages it queued stay.
-- KEYS[1] schedule:{sid}   KEYS[2] occurrences:{sid}   KEYS[3] delivery:{sid}   KEYS[4] due shard   KEYS[5] claim:{sid}:schedule
-- ARGV[1] sid
-- Returns 1 when it existed, else 0
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[5])
clear_tick(KEYS[3], KEYS[4], ARGV[1])
return existed
