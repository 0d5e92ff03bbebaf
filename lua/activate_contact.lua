-- activate_contact: the person allowed the channel's messages again (VK message_allow).
-- The sibling of deactivate_contact.
-- KEYS[1] user:{userId}  KEYS[2] contacts:<channel>
-- ARGV[1] channel  ARGV[2] userId  ARGV[3] the address that was allowed
-- Only activates when the user's stored address for the channel is still that address.
-- Returns 1 when the contact is active now (it may have been already), 0 when the user has no such address.
local h = redis.call('GET', KEYS[1])
if not h then
  return 0
end
local user = cjson.decode(h)
if type(user.contacts) ~= 'table' or user.contacts[ARGV[1]] ~= ARGV[3] then
  return 0
end
if type(user.inactive) == 'table' then
  local kept, removed = {}, false
  for _, c in ipairs(user.inactive) do
    if c == ARGV[1] then removed = true else table.insert(kept, c) end
  end
  if removed then
    user.inactive = kept
    -- cjson writes an empty table as {}; User.inactive is an array.
    mark_empty(user, 'inactive')
    redis.call('SET', KEYS[1], (string.gsub(cjson.encode(user), '"' .. EMPTY_ARRAY .. '"', '[]')))
  end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
