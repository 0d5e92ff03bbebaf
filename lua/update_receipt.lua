-- update_receipt: a delivery report arrived after the fact (SMS delivered or failed at the handset).
-- KEYS[1] history:{id}  KEYS[2] receipts:{id}
-- ARGV[1] channel  ARGV[2] userId  ARGV[3] new status (delivered|failed)  ARGV[4] detail ('' = none)
-- ARGV[5] error class ('' = none)  ARGV[6] now (ISO-8601)
-- Only a receipt that is `sent` moves: to `delivered` (counts: delivered + 1) or to `failed`
-- (sent - 1, failed + 1, errors[class] + 1): nothing stays counted as sent that was not.
-- Returns {'ok', historyJson} | {'missing'} | {'unchanged', currentStatus}
local field = ARGV[1] .. ':' .. ARGV[2]
local current = redis.call('HGET', KEYS[2], field)
if not current then
  return {'missing'}
end
local receipt = cjson.decode(current)
if receipt.status ~= 'sent' or (ARGV[3] ~= 'delivered' and ARGV[3] ~= 'failed') then
  return {'unchanged', receipt.status}
end
receipt.status = ARGV[3]
if ARGV[4] ~= '' then
  receipt.detail = ARGV[4]
end
receipt.reportedAt = ARGV[6]
redis.call('HSET', KEYS[2], field, cjson.encode(receipt))

local h = redis.call('GET', KEYS[1])
if not h then
  return {'missing'}
end
local doc = cjson.decode(h)
local section = doc.channels[ARGV[1]]
if section then
  if ARGV[3] == 'delivered' then
    section.delivered = (tonumber(section.delivered) or 0) + 1
  else
    section.sent = (tonumber(section.sent) or 0) - 1
    section.failed = (tonumber(section.failed) or 0) + 1
    if ARGV[5] ~= '' then
      if type(section.errors) ~= 'table' then
        section.errors = {}
      end
      section.errors[ARGV[5]] = (tonumber(section.errors[ARGV[5]]) or 0) + 1
    end
  end
  h = history_encode(doc)
  redis.call('SET', KEYS[1], h)
end
return {'ok', h}
