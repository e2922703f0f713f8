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
redis.call('HSET', ${key}, 'd', ${a(0)}, 'c', ${a(1)}, 'e', ${a(2)}, 'o', ${a(3)}, 'n', ${a(5)})
if ${a(4)} ~= '' then redis.call('PEXPIRE', ${key}, ${a(4)}) else redis.call('PERSIST', ${key}) end
`;
}

/**
 * KEYS: task, value. ARGV: prefix, id, json (without retryCount and version), status, owner, lease, done,
 * maxActive, origin. The store numbers the run: retryCount is the replaced task's plus one, else 0.
 * Returns {1, retryCount} | {0, 'active', json} | {0, 'capacity', count}.
 */
export const CREATE_TASK = `
local P, id, s, o, lease = ARGV[1], ARGV[2], ARGV[4], ARGV[5], ARGV[6]
local old = redis.call('HMGET', KEYS[1], 's', 'o', 'j', 'r')
local old_s = old[1]
if old_s == 'pending' or old_s == 'processing' then return { 0, 'active', old[3] } end
if ARGV[8] ~= '' then
  local active = redis.call('ZCARD', P .. 'i:pending') + redis.call('ZCARD', P .. 'i:processing')
  if active >= tonumber(ARGV[8]) then return { 0, 'capacity', active } end
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
local json = '{"retryCount":' .. retries .. ',"version":1,' .. string.sub(ARGV[3], 2)
local q = tostring(redis.call('INCR', P .. 'seq'))
redis.call('HSET', KEYS[1], 'j', json, 'v', '1', 's', s, 'o', o, 'q', q, 'l', lease, 'r', retries)
redis.call('ZADD', P .. 'i:' .. s, q, id)
if o ~= '' then redis.call('ZADD', P .. 'io:' .. s .. ':' .. o, q, id) end
if s == 'pending' or s == 'processing' then
  if lease ~= '' then redis.call('ZADD', P .. 'leases', lease, id) end
else
  redis.call('ZADD', P .. 'finished', ARGV[7], id)
end
redis.call('PUBLISH', P .. 'changes', ARGV[9] .. '\\n' .. json)
return { 1, retries }
`;

/**
 * KEYS: task, value. ARGV: prefix, id, expectedVersion, version (the new one), json, status, owner, lease,
 * done, origin ("" for a quiet lease renewal, which is not published), then for a result: data, createdAt,
 * expiresAt, owner, ttlMs, version. The lease index holds unfinished tasks with a lease, the finish index finished
 * tasks; only what changed is written, so a progress update with an unchanged lease touches no index.
 * Returns {1} | {0} (gone) | {0, json} (stale).
 */
export const UPDATE_TASK = `
local P, id, s, o, lease = ARGV[1], ARGV[2], ARGV[6], ARGV[7], ARGV[8]
local old = redis.call('HMGET', KEYS[1], 'v', 's', 'o', 'q', 'l')
if not old[1] then return { 0 } end
if tonumber(old[1]) ~= tonumber(ARGV[3]) then return { 0, redis.call('HGET', KEYS[1], 'j') } end
local old_s, old_o, old_lease = old[2], old[3], old[5] or ''
if s ~= old_s or o ~= old_o then
  redis.call('ZREM', P .. 'i:' .. old_s, id)
  if old_o ~= '' then redis.call('ZREM', P .. 'io:' .. old_s .. ':' .. old_o, id) end
  redis.call('ZADD', P .. 'i:' .. s, old[4], id)
  if o ~= '' then redis.call('ZADD', P .. 'io:' .. s .. ':' .. o, old[4], id) end
end
redis.call('HSET', KEYS[1], 'j', ARGV[5], 'v', ARGV[4], 's', s, 'o', o, 'l', lease)
if s == 'pending' or s == 'processing' then
  if lease ~= old_lease then
    if lease ~= '' then redis.call('ZADD', P .. 'leases', lease, id) else redis.call('ZREM', P .. 'leases', id) end
  end
  if old_s ~= 'pending' and old_s ~= 'processing' then redis.call('ZREM', P .. 'finished', id) end
else
  if old_lease ~= '' then redis.call('ZREM', P .. 'leases', id) end
  redis.call('ZADD', P .. 'finished', ARGV[9], id)
end
if #ARGV > 10 then ${writeValue("KEYS[2]", 11)} end
if ARGV[10] ~= '' then redis.call('PUBLISH', P .. 'changes', ARGV[10] .. '\\n' .. ARGV[5]) end
return { 1 }
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
 * Returns {nextCursor or '', {json…}}.
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
local tasks = {}
for j = 1, n do tasks[j] = redis.call('HGET', P .. 't:' .. found[j][2], 'j') end
local cursor = ''
if #found > limit then cursor = found[n][2] end
return { cursor, tasks }
`;

/** ARGV: prefix, now, limit. Returns the JSON of unfinished tasks whose lease ended at or before now. */
export const LIST_EXPIRED_LEASES = `
local P = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local tasks = {}
for i = 1, #ids do tasks[i] = redis.call('HGET', P .. 't:' .. ids[i], 'j') end
return tasks
`;

/** ARGV: prefix, finishedBefore, limit. Removes the oldest finished tasks; returns their ids. */
export const REMOVE_FINISHED = `${STATUS_KEY}
local P = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
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
return ids
`;
