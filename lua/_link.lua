-- Shared by link_vk and link_telegram (prepended to every script at load, like _history.lua).
-- link_contact: someone proved with a link code that an address of `channel` is theirs; it becomes the code's
-- user's contact there. Keys, in both scripts' KEYS order: linkcode:<code hash>, user:{userId}, address:<channel>,
-- contacts:<channel>, user:{ownerId} (the user address:<channel> named for the address when it was read, or
-- user:{userId} again when none). owner: that ownerId ('' when none).
-- Whoever links the address owns it: another user holding it loses it (contact and index entry). The user's
-- previous address leaves the index. The contact is active, since the person has just written from it. The code
-- is deleted: it works once.
-- Returns 'linked'; 'moved' when the address was taken from `owner`; 'gone' when the code is no longer the user's
-- (used, expired) or the user no longer exists; 'stale' when address:<channel> changed since it was read (read
-- it again and retry).
local function link_encode_user(user)
  -- cjson writes an empty table as {}; User.inactive is an array.
  mark_empty(user, 'inactive')
  return (string.gsub(cjson.encode(user), '"' .. EMPTY_ARRAY .. '"', '[]'))
end
local function link_without(list, item)
  local kept = {}
  if type(list) == 'table' then
    for _, c in ipairs(list) do
      if c ~= item then table.insert(kept, c) end
    end
  end
  return kept
end
local function link_contact(channel, code_key, user_key, address_key, contacts_key, owner_key, user_id, address, owner_read)
  if redis.call('GET', code_key) ~= user_id then
    return 'gone'
  end
  local owner = redis.call('HGET', address_key, address) or ''
  if owner ~= owner_read then
    return 'stale'
  end
  local h = redis.call('GET', user_key)
  if not h then
    redis.call('DEL', code_key)
    return 'gone'
  end
  local user = cjson.decode(h)

  local result = 'linked'
  if owner ~= '' and owner ~= user_id then
    local ph = redis.call('GET', owner_key)
    if ph then
      local previous = cjson.decode(ph)
      if type(previous.contacts) == 'table' and previous.contacts[channel] == address then
        previous.contacts[channel] = nil
        previous.inactive = link_without(previous.inactive, channel)
        redis.call('SET', owner_key, link_encode_user(previous))
        redis.call('HDEL', contacts_key, owner)
        result = 'moved'
      end
    end
  end

  if type(user.contacts) ~= 'table' then
    user.contacts = {}
  end
  local old = user.contacts[channel]
  if old and old ~= address and redis.call('HGET', address_key, old) == user_id then
    redis.call('HDEL', address_key, old)
  end
  user.contacts[channel] = address
  user.inactive = link_without(user.inactive, channel)
  redis.call('SET', user_key, link_encode_user(user))
  redis.call('HSET', contacts_key, user_id, address)
  redis.call('HSET', address_key, address, user_id)
  redis.call('DEL', code_key)
  return result
end
