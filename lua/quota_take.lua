-- quota_take: on a Redis Cluster, count a new message against its sender before the message is written.
-- KEYS[1] quota:{sender} (sliding log of message ids)  KEYS[2] sent:{sender} (the sender's messages)
-- ARGV[1] id  ARGV[2] messages-per-window limit (0 = unlimited)  ARGV[3] window ms
-- ARGV[4] the message's createdAt (unix ms), the score of its place in the sender's list
-- The sender's keys and the message's keys are in different cluster slots, so this runs first, on its own,
-- and enqueue second (on one node, enqueue does both in one script). Nothing is given back when enqueue then
-- answers 'conflict': the id is taken by a message, which stays counted and listed. A crash between the two
-- leaves the id counted and listed without a history (the history list skips it); the quota forgets it
-- within the window.
-- Returns {'ok', 1} (counted now) | {'ok', 0} (counted before) | {'quota', retryAfterMs, limit}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return take_quota(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), now, tonumber(ARGV[4]))
