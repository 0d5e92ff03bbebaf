-- renew: extend a claim its owner still holds, and tell the owner whether to stop.
-- KEYS[1] history:{id}   KEYS[2] claim:{id}:<channel>
-- ARGV[1] owner  ARGV[2] lease ms
-- Returns {'ok'} | {'cancelled'} | {'lost'} (another owner holds it, or it lapsed)
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return {'lost'}
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
local h = redis.call('GET', KEYS[1])
if h and cjson.decode(h).state == 'cancelled' then
  return {'cancelled'}
end
return {'ok'}
