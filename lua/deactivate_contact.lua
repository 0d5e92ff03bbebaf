-- deactivate_contact: a provider said this contact can no longer be written to (blocked, deactivated).
-- KEYS[1] user:{userId}  KEYS[2] contacts:<channel>
-- ARGV[1] channel  ARGV[2] userId  ARGV[3] the address that failed
-- Only deactivates when the stored address is still the one that failed.
-- Returns 1 when deactivated, 0 otherwise.
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[3] then
  return 0
end
redis.call('HDEL', KEYS[2], ARGV[2])
local h = redis.call('GET', KEYS[1])
if h then
  local user = cjson.decode(h)
  if type(user.inactive) ~= 'table' then
    user.inactive = {}
  end
  local present = false
  for _, c in ipairs(user.inactive) do
    if c == ARGV[1] then present = true end
  end
  if not present then
    table.insert(user.inactive, ARGV[1])
  end
  redis.call('SET', KEYS[1], cjson.encode(user))
end
return 1
