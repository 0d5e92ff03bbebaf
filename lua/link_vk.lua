-- link_vk: someone sent a link code to the VK community; their VK id becomes the code's user's VK contact
-- (link_contact in lua/_link.lua, shared with link_telegram), and no longer waits in vk:allowed.
-- KEYS[1] linkcode:<code hash>  KEYS[2] user:{userId}  KEYS[3] address:vk  KEYS[4] contacts:vk
-- KEYS[5] user:{ownerId}, the user address:vk named for the VK id when it was read (KEYS[2] again when none)
-- KEYS[6] vk:allowed
-- ARGV[1] userId  ARGV[2] VK id  ARGV[3] that ownerId ('' when none)
-- Whoever writes the code from a VK account owns that account: another user holding the same VK id loses
-- it (contact and index entry). The user's previous VK id leaves the index. The contact is active, since
-- the person has just written to the community. The code is deleted: it works once.
-- Returns 'linked'; 'moved' when the VK id was taken from ARGV[3]; 'gone' when the code is no longer the
-- user's (used, expired) or the user no longer exists; 'stale' when address:vk changed since it was read
-- (read it again and retry).
local result = link_contact('vk', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3])
if result == 'linked' or result == 'moved' then
  redis.call('SREM', KEYS[6], ARGV[2])
end
return result
