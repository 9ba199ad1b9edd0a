-- Checks every budget and, when all have room, reserves the cost in each: all or nothing, atomically.
-- KEYS[i]: one budget each, distinct. A budget is a hash from segment number to cost (integer millionths).
-- ARGV[1]: microseconds added to the server's clock (0 outside tests), or '@' and a fixed time (tests only).
-- ARGV[2 + 5(i-1) ..]: window (microseconds), max (millionths), cost (millionths), idle expiry (milliseconds), and
-- the grid shift: (microseconds from 0001-01-01 to 1970-01-01) mod window, so that segments start where the in-memory
-- store's do (its time counts from 0001-01-01), and both stores decide alike.
-- Returns {1, now} when admitted, {0, refusing key, microseconds until every refusing budget has room}, where the key
-- is the refusing one with the longest wait (the first of equal waits), and the wait is -1 when a cost exceeds its
-- maximum, which then outranks any finite wait.
-- ARGV[2 + 5 * #KEYS], when present and 'check': only answer whether every budget has room; reserve nothing.
-- Numbers stay below 2^53, where Lua's doubles are exact integers.
-- Needs Redis 5 or later, where scripts replicate by their effects, so TIME may precede writes.

local now
if string.sub(ARGV[1], 1, 1) == '@' then
  now = tonumber(string.sub(ARGV[1], 2))
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2]) + tonumber(ARGV[1])
end

-- floor(t * 10 / w) without forming t * 10, which can pass 2^53.
local function segment_of(t, w)
  local whole = math.floor(t / w)
  local rest = t - whole * w
  if rest < 0 then whole = whole - 1; rest = rest + w elseif rest >= w then whole = whole + 1; rest = rest - w end
  local tenth = math.floor(rest * 10 / w)
  if tenth * w > rest * 10 then tenth = tenth - 1 elseif (tenth + 1) * w <= rest * 10 then tenth = tenth + 1 end
  return whole * 10 + tenth
end

-- The first microsecond of segment k: ceil(k * w / 10).
local function start_of(k, w)
  local tens = math.floor(k / 10)
  local r = k - tens * 10
  local part = math.ceil(r * w / 10)
  if (part - 1) * 10 >= r * w then part = part - 1 elseif part * 10 < r * w then part = part + 1 end
  return tens * w + part
end

local refused = 0
local wait = 0
local current = {}
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 5
  local w = tonumber(ARGV[base])
  local max = tonumber(ARGV[base + 1])
  local cost = tonumber(ARGV[base + 2])
  local shift = tonumber(ARGV[base + 4])
  local cur = segment_of(now + shift, w)
  current[i] = cur

  -- Segments cur-10 .. cur count (and any later one, should the server's clock have gone back).
  local flat = redis.call('HGETALL', KEYS[i])
  local counted = {}
  local total = 0
  for j = 1, #flat, 2 do
    local s = tonumber(flat[j])
    if s >= cur - 10 then
      local v = tonumber(flat[j + 1])
      counted[#counted + 1] = { s, v }
      total = total + v
    else
      redis.call('HDEL', KEYS[i], flat[j])
    end
  end

  if total + cost > max then
    if cost > max then
      if refused == 0 or wait >= 0 then refused = i; wait = -1 end
    elseif refused == 0 or wait >= 0 then
      -- The oldest segments slide out first; segment s stops counting when segment s + 11 begins.
      table.sort(counted, function(a, b) return a[1] < b[1] end)
      local remaining = total
      local until_room = 0
      for _, entry in ipairs(counted) do
        remaining = remaining - entry[2]
        if remaining + cost <= max then
          until_room = start_of(entry[1] + 11, w) - shift - now
          break
        end
      end
      -- Keys are in the order of their first request, so a strictly longer wait keeps the first of equal ones.
      if refused == 0 or until_room > wait then refused = i; wait = until_room end
    end
  end
end

if refused > 0 then
  return { 0, refused, wait }
end

if ARGV[2 + 5 * #KEYS] == 'check' then
  return { 1, now }
end

for i = 1, #KEYS do
  local base = 2 + (i - 1) * 5
  local total = redis.call('HINCRBY', KEYS[i], string.format('%.0f', current[i]), ARGV[base + 2])
  -- The first write into a segment sets the expiry; a segment counts for at most a window and a segment after
  -- its first write, so later writes into the same segment need not refresh it (one command fewer per call).
  if total == tonumber(ARGV[base + 2]) then
    redis.call('PEXPIRE', KEYS[i], ARGV[base + 3])
  end
end

return { 1, now }
