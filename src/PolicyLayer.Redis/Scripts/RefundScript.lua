-- Gives back the cost of an earlier reservation from the segment it landed in, while that segment still counts,
-- never below zero: a repeated or bogus refund cannot make room beyond what was admitted.
-- KEYS[i]: one budget each, distinct.
-- ARGV[1]: microseconds added to the server's clock (0 outside tests), or '@' and a fixed time (tests only). ARGV[2]: the reservation's time (microseconds).
-- ARGV[3 + 3(i-1) ..]: window (microseconds), cost (millionths), grid shift (see the reservation script).
-- Needs Redis 5 or later, where scripts replicate by their effects, so TIME may precede writes.

local now
if string.sub(ARGV[1], 1, 1) == '@' then
  now = tonumber(string.sub(ARGV[1], 2))
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2]) + tonumber(ARGV[1])
end
local reserved_at = tonumber(ARGV[2])

local function segment_of(t, w)
  local whole = math.floor(t / w)
  local rest = t - whole * w
  if rest < 0 then whole = whole - 1; rest = rest + w elseif rest >= w then whole = whole + 1; rest = rest - w end
  local tenth = math.floor(rest * 10 / w)
  if tenth * w > rest * 10 then tenth = tenth - 1 elseif (tenth + 1) * w <= rest * 10 then tenth = tenth + 1 end
  return whole * 10 + tenth
end

for i = 1, #KEYS do
  local base = 3 + (i - 1) * 3
  local w = tonumber(ARGV[base])
  local cost = tonumber(ARGV[base + 1])
  local shift = tonumber(ARGV[base + 2])
  local s = segment_of(reserved_at + shift, w)
  local cur = segment_of(now + shift, w)
  if s <= cur and s >= cur - 10 then
    local field = string.format('%.0f', s)
    local v = tonumber(redis.call('HGET', KEYS[i], field))
    if v then
      if v > cost then
        redis.call('HINCRBY', KEYS[i], field, '-' .. ARGV[base + 1])
      else
        redis.call('HDEL', KEYS[i], field)
      end
    end
  end
end

return 1
