/**
 * The Lua scripts behind every write: each task transition is one script, so it costs one round trip and
 * no other client ever sees half of it. Key layout (all under the prefix P) is described in `key-layout.ts`.
 *
 * Owners travel as "" (none) or "=" followed by the owner, so an empty owner string stays distinct from none.
 */

/*
 * The two scripts of every task lifecycle (CREATE_TASK, UPDATE_TASK) are written out inline: a `local
 * function` costs a closure on every call of a script, and Redis converts every number a script hands to
 * `redis.call` back to text, so counters and versions travel as the strings the store already has.
 */

/** The index keys of a status: all tasks, and the owner's ("" for none). */
const STATUS_KEY = `
local function status_key(P, s, o)
  if o == '' then return P .. 'i:' .. s end
  return P .. 'io:' .. s .. ':' .. o
end
`;

/**
 * A value hash gets all five fields on every write (expiresAt, owner and version empty when absent: an owner
 * is never empty), so a write replaces the old value without deleting it first; PERSIST drops an old expiry
 * when the new value has none. ARGV from `first`: data, createdAt, expiresAt, owner, ttlMs, version.
 */
function writeValue(key: string, first: number): string {
  const a = (i: number) => `ARGV[${first + i}]`;
  return `
redis.call('HSET', ${key}, 'd', ${a(0)}, 'c', ${a(1)}, 'e', ${a(2)}, 'o', ${a(3)}, 'n', ${a(5)}, 'x', ${a(6)} or '')
if ${a(4)} ~= '' then redis.call('PEXPIRE', ${key}, ${a(4)}) else redis.call('PERSIST', ${key}) end
`;
}

/**
 * The server's time in ms, as the local `now`: every lease and finish time is judged on this one clock,
 * never on a writer's. `redis.replicate_commands()` lets a script write after reading the time on Redis
 * before 5 (from 5 on it is the default; from 7 a no-op).
 */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local now_t = redis.call('TIME')
local now = now_t[1] * 1000 + math.floor(now_t[2] / 1000)
local now_s = string.format('%d', now)
`;

/**
 * KEYS: task, value. ARGV: prefix, id, json (without retryCount and version), status, owner, leaseMs,
 * maxActive, origin. The store numbers the run: retryCount is the replaced task's plus one, else 0. The
 * lease ends `leaseMs` after the server's time now; tasks whose lease has ended do not count as active.
 * Returns {1, retryCount} | {0, 'active', json, leaseExpired (0|1)} | {0, 'capacity', count}.
 */
export const CREATE_TASK = `${NOW}
local P, id, s, o, lease_ms = ARGV[1], ARGV[2], ARGV[4], ARGV[5], ARGV[6]
local old = redis.call('HMGET', KEYS[1], 's', 'o', 'j', 'r', 'l')
local old_s = old[1]
if old_s == 'pending' or old_s == 'processing' then
  local expired = 0
  if old[5] and old[5] ~= '' and tonumber(old[5]) <= now then expired = 1 end
  return { 0, 'active', old[3], expired }
end
if ARGV[7] ~= '' then
  local active = redis.call('ZCARD', P .. 'i:pending') + redis.call('ZCARD', P .. 'i:processing')
    - redis.call('ZCOUNT', P .. 'leases', '-inf', now_s)
  if active >= tonumber(ARGV[7]) then return { 0, 'capacity', active } end
end
local retries = '0'
if old_s then
  retries = tostring((tonumber(old[4]) or 0) + 1)
  redis.call('ZREM', P .. 'i:' .. old_s, id)
  if old[2] ~= '' then redis.call('ZREM', P .. 'io:' .. old_s .. ':' .. old[2], id) end
  redis.call('ZREM', P .. 'finished', id)
  redis.call('DEL', KEYS[1], KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
local active_s = s == 'pending' or s == 'processing'
local lease = ''
if active_s and lease_ms ~= '' then lease = string.format('%d', now + tonumber(lease_ms)) end
local json = '{"retryCount":' .. retries .. ',"version":1,' .. string.sub(ARGV[3], 2)
local q = tostring(redis.call('INCR', P .. 'seq'))
redis.call('HSET', KEYS[1], 'j', json, 'v', '1', 's', s, 'o', o, 'q', q, 'l', lease, 'r', retries)
redis.call('ZADD', P .. 'i:' .. s, q, id)
if o ~= '' then redis.call('ZADD', P .. 'io:' .. s .. ':' .. o, q, id) end
if active_s then
  if lease ~= '' then redis.call('ZADD', P .. 'leases', lease, id) end
else
  redis.call('ZADD', P .. 'finished', now_s, id)
end
redis.call('PUBLISH', P .. 'changes', ARGV[8] .. '\\n' .. json)
return { 1, retries }
`;

/**
 * KEYS: task, value. ARGV: prefix, id, expectedVersion, version (the new one), json, status, owner, leaseMs,
 * origin ("" for a quiet lease renewal, which is not published), then for a result: data, createdAt,
 * expiresAt, owner, ttlMs, version. The lease index holds unfinished tasks with a lease (by when it ends on
 * the server's clock: every write with a lease starts it anew), the finish index finished tasks (by when
 * they finished on the server's clock).
 * Returns {1} | {0} (gone) | {0, json, leaseExpired (0|1)} (stale).
 */
export const UPDATE_TASK = `${NOW}
local P, id, s, o, lease_ms = ARGV[1], ARGV[2], ARGV[6], ARGV[7], ARGV[8]
local old = redis.call('HMGET', KEYS[1], 'v', 's', 'o', 'q', 'l')
if not old[1] then return { 0 } end
local old_s, old_o, old_lease = old[2], old[3], old[5] or ''
if tonumber(old[1]) ~= tonumber(ARGV[3]) then
  local expired = 0
  if old_lease ~= '' and tonumber(old_lease) <= now and (old_s == 'pending' or old_s == 'processing') then expired = 1 end
  return { 0, redis.call('HGET', KEYS[1], 'j'), expired }
end
if s ~= old_s or o ~= old_o then
  redis.call('ZREM', P .. 'i:' .. old_s, id)
  if old_o ~= '' then redis.call('ZREM', P .. 'io:' .. old_s .. ':' .. old_o, id) end
  redis.call('ZADD', P .. 'i:' .. s, old[4], id)
  if o ~= '' then redis.call('ZADD', P .. 'io:' .. s .. ':' .. o, old[4], id) end
end
local lease = ''
if s == 'pending' or s == 'processing' then
  if lease_ms ~= '' then
    lease = string.format('%d', now + tonumber(lease_ms))
    redis.call('ZADD', P .. 'leases', lease, id)
  elseif old_lease ~= '' then
    redis.call('ZREM', P .. 'leases', id)
  end
  if old_s ~= 'pending' and old_s ~= 'processing' then redis.call('ZREM', P .. 'finished', id) end
else
  if old_lease ~= '' then redis.call('ZREM', P .. 'leases', id) end
  redis.call('ZADD', P .. 'finished', now_s, id)
end
redis.call('HSET', KEYS[1], 'j', ARGV[5], 'v', ARGV[4], 's', s, 'o', o, 'l', lease)
if #ARGV > 9 then ${writeValue("KEYS[2]", 10)} end
if ARGV[9] ~= '' then redis.call('PUBLISH', P .. 'changes', ARGV[9] .. '\\n' .. ARGV[5]) end
return { 1 }
`;

/**
 * KEYS: task. Returns nil | {json, leaseExpired (0|1)}: whether the task is unfinished and its lease has
 * ended on the server's clock.
 */
export const GET_TASK = `
local h = redis.call('HMGET', KEYS[1], 'j', 's', 'l')
if not h[1] then return nil end
local expired = 0
if h[3] and h[3] ~= '' and (h[2] == 'pending' or h[2] == 'processing') then
  local t = redis.call('TIME')
  if tonumber(h[3]) <= t[1] * 1000 + math.floor(t[2] / 1000) then expired = 1 end
end
return { h[1], expired }
`;

/** KEYS: value. ARGV: data, createdAt, expiresAt, owner, ttlMs, version. */
export const SET_VALUE = `${writeValue("KEYS[1]", 1)}
return 1
`;

/**
 * ARGV: prefix, after (the ref id of the previous page's last task, "" for the first page), limit, owner,
 * statuses… Merges the per-status indexes by creation sequence. The cursor is a ref id, not the sequence,
 * so it tells a caller nothing about how many tasks others created; an id that is gone or that the query's
 * owner does not hold is refused alike ({-1}), so a cursor cannot probe for other owners' ids either.
 * Returns {nextCursor or '', {json…}, {leaseExpired (0|1)…}}.
 */
export const LIST_TASKS = `${STATUS_KEY}
local P, limit, o = ARGV[1], tonumber(ARGV[3]), ARGV[4]
local after = '0'
if ARGV[2] ~= '' then
  local held = redis.call('HMGET', P .. 't:' .. ARGV[2], 'q', 'o')
  if not held[1] or (o ~= '' and held[2] ~= o) then return { -1 } end
  after = held[1]
end
local found = {}
for i = 5, #ARGV do
  local page = redis.call('ZRANGEBYSCORE', status_key(P, ARGV[i], o), '(' .. after, '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
  for j = 1, #page, 2 do found[#found + 1] = { tonumber(page[j + 1]), page[j] } end
end
table.sort(found, function(a, b) return a[1] < b[1] end)
local n = math.min(#found, limit)
local tasks, expired = {}, {}
local now = nil
for j = 1, n do
  local h = redis.call('HMGET', P .. 't:' .. found[j][2], 'j', 's', 'l')
  tasks[j] = h[1]
  expired[j] = 0
  if h[3] and h[3] ~= '' and (h[2] == 'pending' or h[2] == 'processing') then
    if not now then
      local t = redis.call('TIME')
      now = t[1] * 1000 + math.floor(t[2] / 1000)
    end
    if tonumber(h[3]) <= now then expired[j] = 1 end
  end
end
local cursor = ''
if #found > limit then cursor = found[n][2] end
return { cursor, tasks, expired }
`;

/** ARGV: prefix, limit. Returns the JSON of unfinished tasks whose lease has ended on the server's clock. */
export const LIST_EXPIRED_LEASES = `
local P = ARGV[1]
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', string.format('%d', now), 'LIMIT', 0, tonumber(ARGV[2]))
local tasks = {}
for i = 1, #ids do tasks[i] = redis.call('HGET', P .. 't:' .. ids[i], 'j') end
return tasks
`;

/**
 * ARGV: prefix, olderThanMs, limit, origin. Removes the oldest tasks that finished at least olderThanMs ago
 * on the server's clock, and publishes their ids (a JSON array where a change holds a task object).
 * Returns the ids.
 */
export const REMOVE_FINISHED = `${STATUS_KEY}${NOW}
local P = ARGV[1]
local before = string.format('%d', now - tonumber(ARGV[2]))
local ids = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', before, 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #ids do
  local key = P .. 't:' .. ids[i]
  local old = redis.call('HMGET', key, 's', 'o')
  if old[1] then
    redis.call('ZREM', P .. 'i:' .. old[1], ids[i])
    if old[2] ~= '' then redis.call('ZREM', status_key(P, old[1], old[2]), ids[i]) end
  end
  redis.call('ZREM', P .. 'finished', ids[i])
  redis.call('DEL', key)
end
if #ids > 0 then redis.call('PUBLISH', P .. 'changes', ARGV[4] .. '\\n' .. cjson.encode(ids)) end
return ids
`;
