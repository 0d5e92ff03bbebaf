-- Shared by the scripts that rewrite the history document; prepended to each of them at load.
-- Redis 7's cjson encodes an empty table as {}: the history's arrays are marked before encoding
-- and restored to [] after it, so `to.users` and `expectedChannels` stay arrays.
local EMPTY_ARRAY = '__ada_empty_array__'
local function mark_empty(t, name)
  if type(t) == 'table' and type(t[name]) == 'table' and next(t[name]) == nil then
    t[name] = EMPTY_ARRAY
  end
end
local function history_encode(doc)
  if type(doc.to) == 'table' then
    mark_empty(doc.to, 'users')
    mark_empty(doc.to, 'groups')
    mark_empty(doc.to, 'supergroups')
  end
  mark_empty(doc, 'expectedChannels')
  local json = cjson.encode(doc)
  return (string.gsub(json, '"' .. EMPTY_ARRAY .. '"', '[]'))
end

-- The history of a message that has not started delivering, for reschedule and send_now:
-- returns doc, or nil and the script's refusal ({'missing'} | {'not_scheduled', state}).
local function scheduled_history(key)
  local h = redis.call('GET', key)
  if not h then
    return nil, {'missing'}
  end
  local doc = cjson.decode(h)
  if doc.state ~= 'scheduled' then
    return nil, {'not_scheduled', doc.state}
  end
  return doc
end
