-- link_telegram: someone opened the bot with a link code (/start <code>); their chat becomes the code's user's
-- Telegram contact. The Telegram sibling of link_vk.
-- KEYS[1] linkcode:<code hash>  KEYS[2] user:{userId}  KEYS[3] address:telegram  KEYS[4] contacts:telegram
-- KEYS[5] user:{ownerId}, the user address:telegram named for the chat when it was read (KEYS[2] again when none)
-- ARGV[1] userId  ARGV[2] chat id  ARGV[3] that ownerId ('' when none)
-- Whoever opens the bot with the code owns that chat: another user holding the same chat id loses it (contact
-- and index entry). The user's previous chat leaves the index. The contact is active, since the person has
-- just started the bot. The code is deleted: it works once.
-- Returns 'linked'; 'moved' when the chat was taken from ARGV[3]; 'gone' when the code is no longer the
-- user's (used, expired) or the user no longer exists; 'stale' when address:telegram changed since it was
-- read (read it again and retry).
local function encode_user(user)
  -- cjson writes an empty table as {}; User.inactive is an array.
  mark_empty(user, 'inactive')
  return (string.gsub(cjson.encode(user), '"' .. EMPTY_ARRAY .. '"', '[]'))
end
local function without(list, item)
  local kept = {}
  if type(list) == 'table' then
    for _, c in ipairs(list) do
      if c ~= item then table.insert(kept, c) end
    end
  end
  return kept
end

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'gone'
end
local owner = redis.call('HGET', KEYS[3], ARGV[2]) or ''
if owner ~= ARGV[3] then
  return 'stale'
end
local h = redis.call('GET', KEYS[2])
if not h then
  redis.call('DEL', KEYS[1])
  return 'gone'
end
local user = cjson.decode(h)

local result = 'linked'
if owner ~= '' and owner ~= ARGV[1] then
  local ph = redis.call('GET', KEYS[5])
  if ph then
    local previous = cjson.decode(ph)
    if type(previous.contacts) == 'table' and previous.contacts.telegram == ARGV[2] then
      previous.contacts.telegram = nil
      previous.inactive = without(previous.inactive, 'telegram')
      redis.call('SET', KEYS[5], encode_user(previous))
      redis.call('HDEL', KEYS[4], owner)
      result = 'moved'
    end
  end
end

if type(user.contacts) ~= 'table' then
  user.contacts = {}
end
local old = user.contacts.telegram
if old and old ~= ARGV[2] and redis.call('HGET', KEYS[3], old) == ARGV[1] then
  redis.call('HDEL', KEYS[3], old)
end
user.contacts.telegram = ARGV[2]
user.inactive = without(user.inactive, 'telegram')
redis.call('SET', KEYS[2], encode_user(user))
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
redis.call('DEL', KEYS[1])
return result
