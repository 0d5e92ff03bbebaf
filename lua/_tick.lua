-- Shared by the schedule scripts; prepended to each script at load.
-- A schedule's next occurrence is a tick shaped like a message's order: its id in the due index, scored by the
-- time, and a delivery key under the schedule id that expires then (or is set and deleted at once when the time
-- has passed), so the same clock and keyspace events announce schedules and messages.
local function set_tick(delivery, due, id, at)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', due, at, id)
  if at > now then
    redis.call('SET', delivery, id, 'PXAT', at)
  else
    redis.call('SET', delivery, id)
    redis.call('DEL', delivery)
  end
end
local function clear_tick(delivery, due, id)
  redis.call('ZREM', due, id)
  redis.call('DEL', delivery)
end
