-- The approval store's writes, each one atomic: 'add' (find the call's live request or add a new one), 'use' (mark an
-- approved request used, at most once) and 'decide' (approve or deny a pending request).
-- KEYS[1]: hash, request id -> the request as JSON (see ApprovalJson.cs).
-- KEYS[2]: hash, call key -> the id of the call's live request.
-- KEYS[3]: sorted set, request id -> when the request may be removed, in whole milliseconds since 0001-01-01 (store
-- time); the request's removeAt field has the exact time in ticks.
-- The three keys share one hash tag, so the script also runs on Redis Cluster.
-- ARGV[1]: the operation. ARGV[2]: now, the store's time in ticks as 19 digits. ARGV[3]: now in milliseconds.
-- Time comes from the store's TimeProvider, never from the server. Ticks pass 2^53, where doubles stop being exact,
-- so they travel and are kept as digit strings and compared in two halves.
-- The key expiry set here is only cleanup: it outlives every request the keys hold, so that abandoned keys go away.

local op = ARGV[1]
local now = ARGV[2]
local now_ms = ARGV[3]

-- Removes at most this many lapsed requests on every add, so they do not pile up in a store that never fills.
local SWEEP_EACH_ADD = 10
-- And at most this many more when the store is full.
local SWEEP_WHEN_FULL = 1000

-- a < b for two 19-digit tick strings.
local function before(a, b)
  local a_high, b_high = tonumber(string.sub(a, 1, 10)), tonumber(string.sub(b, 1, 10))
  if a_high ~= b_high then return a_high < b_high end
  return tonumber(string.sub(a, 11)) < tonumber(string.sub(b, 11))
end

-- Extends the keys' expiry to at least ttl milliseconds from now (server time); never shortens it.
local function keep_for(ttl)
  for i = 1, 3 do
    if redis.call('PTTL', KEYS[i]) < ttl then
      redis.call('PEXPIRE', KEYS[i], ttl)
    end
  end
end

-- Removes up to limit requests whose removal time has come, with their call's entry when it still names them.
local function sweep(limit)
  local candidates = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now_ms, 'LIMIT', 0, limit)
  for _, id in ipairs(candidates) do
    local json = redis.call('HGET', KEYS[1], id)
    if not json then
      redis.call('ZREM', KEYS[3], id)
    else
      local request = cjson.decode(json)
      -- The score has whole milliseconds; the request's own time decides within the last one.
      if not before(now, request.removeAt) then
        if redis.call('HGET', KEYS[2], request.key) == id then
          redis.call('HDEL', KEYS[2], request.key)
        end
        redis.call('HDEL', KEYS[1], id)
        redis.call('ZREM', KEYS[3], id)
      end
    end
  end
end

if op == 'add' then
  -- ARGV[4]: call key, ARGV[5]: id, ARGV[6]: the new request (JSON, with its removeAt), ARGV[7]: removeAt in ms,
  -- ARGV[8]: key expiry (ms), ARGV[9]: the most requests held.
  -- Returns {'live', json}, {'expired', json}, {'full'} or {'added'}.
  local key, id = ARGV[4], ARGV[5]
  local live_id = redis.call('HGET', KEYS[2], key)
  if live_id then
    local json = redis.call('HGET', KEYS[1], live_id)
    if json then
      local live = cjson.decode(json)
      if before(now, live.expires) then
        return { 'live', json }
      end

      -- Report the lapse once; the next identical call asks again. A denial stays a denial: the caller is told who
      -- denied it and why, never that it may simply call again.
      redis.call('HDEL', KEYS[2], key)
      if live.state ~= 'Denied' then
        live.state = 'Expired'
        json = cjson.encode(live)
        redis.call('HSET', KEYS[1], live_id, json)
      end
      return { 'expired', json }
    end
  end

  sweep(SWEEP_EACH_ADD)
  local max = tonumber(ARGV[9])
  if redis.call('ZCARD', KEYS[3]) >= max then
    sweep(SWEEP_WHEN_FULL)
    if redis.call('ZCARD', KEYS[3]) >= max then
      return { 'full' }
    end
  end

  redis.call('HSET', KEYS[1], id, ARGV[6])
  redis.call('HSET', KEYS[2], key, id)
  redis.call('ZADD', KEYS[3], ARGV[7], id)
  keep_for(tonumber(ARGV[8]))
  return { 'added' }
end

if op == 'use' then
  -- ARGV[4]: id. Returns 1 for the one call that used the approval, else 0.
  local id = ARGV[4]
  local json = redis.call('HGET', KEYS[1], id)
  if not json then return 0 end
  local request = cjson.decode(json)
  if request.state ~= 'Approved' or not before(now, request.expires) then return 0 end

  request.state = 'Used'
  if redis.call('HGET', KEYS[2], request.key) == id then
    redis.call('HDEL', KEYS[2], request.key)
  end
  -- A used request is kept only until the approval would have lapsed.
  request.removeAt = request.expires
  redis.call('HSET', KEYS[1], id, cjson.encode(request))
  redis.call('ZADD', KEYS[3], 'XX', request.expiresMs, id)
  return 1
end

if op == 'decide' then
  -- ARGV[4]: id, ARGV[5]: 'Approved' or 'Denied', ARGV[6]: '=' and the approver, or '' for none,
  -- ARGV[7]: '=' and the denial reason, or '' for none, ARGV[8]: the new expiry (ticks), ARGV[9]: the same in ms,
  -- ARGV[10]: the new removal time (ticks), ARGV[11]: the same in ms, ARGV[12]: key expiry (ms).
  -- Returns {'notfound'}, {'notpending', json}, {'expired', json} or {'applied', json}.
  local id = ARGV[4]
  local json = redis.call('HGET', KEYS[1], id)
  if not json then return { 'notfound' } end
  local request = cjson.decode(json)
  if request.state ~= 'Pending' and request.state ~= 'Expired' then return { 'notpending', json } end
  if request.state == 'Expired' or not before(now, request.expires) then return { 'expired', json } end

  local function optional(text)
    if string.sub(text, 1, 1) == '=' then return string.sub(text, 2) end
    return nil
  end

  request.state = ARGV[5]
  request.decidedBy = optional(ARGV[6])
  request.decidedAt = now
  request.denialReason = optional(ARGV[7])
  request.expires = ARGV[8]
  request.expiresMs = ARGV[9]
  request.removeAt = ARGV[10]
  json = cjson.encode(request)
  redis.call('HSET', KEYS[1], id, json)
  redis.call('ZADD', KEYS[3], ARGV[11], id)
  keep_for(tonumber(ARGV[12]))
  return { 'applied', json }
end

return redis.error_reply('ERR unknown approval operation ' .. tostring(op))
