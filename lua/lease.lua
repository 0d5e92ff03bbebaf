-- lease: one holder at a time for a job only one process may do (the Telegram poller).
-- KEYS[1] the lease key
-- ARGV[1] this holder's id  ARGV[2] lease length in ms; 0 gives the lease back
-- Taken when free, renewed when this holder has it; given back only by its holder.
-- Returns 1 when this holder has the lease now (0 length: when it gave it back), 0 when another holds it.
local holder = redis.call('GET', KEYS[1])
local ms = tonumber(ARGV[2])
if ms == 0 then
  if holder == ARGV[1] then
    redis.call('DEL', KEYS[1])
    return 1
  end
  return 0
end
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ms)
return 1
