/**
 * The Lua scripts behind every write: each task transition is one script, so it costs one round trip and
 * no other client ever sees half of it. Key layout (all under the prefix P) is described in `key-layout.ts`.
 *
 * Owners travel as "" (none) or "=" followed by the owner, so an empty owner string stays distinct from none.
 */

/** Helpers prepended to every script. */
const HELPERS = `
local function is_active(s) return s == 'pending' or s == 'processing' end
local function status_key(P, s, o)
  if o == '' then return P .. 'i:' .. s end
  return P .. 'io:' .. s .. ':' .. o
end
local function unindex(P, id, s, o)
  redis.call('ZREM', P .. 'i:' .. s, id)
  if o ~= '' then redis.call('ZREM', status_key(P, s, o), id) end
end
local function index(P, id, s, o, q)
  redis.call('ZADD', P .. 'i:' .. s, q, id)
  if o ~= '' then redis.call('ZADD', status_key(P, s, o), q, id) end
end
-- The lease index holds unfinished tasks with a lease; the finish index holds finished tasks. Only what
-- changed is written: a progress update with an unchanged lease touches neither index.
local function track(P, id, s, lease, done, old_s, old_lease)
  if is_active(s) then
    if lease ~= old_lease then
      if lease ~= '' then redis.call('ZADD', P .. 'leases', lease, id) else redis.call('ZREM', P .. 'leases', id) end
    end
    if old_s and not is_active(old_s) then redis.call('ZREM', P .. 'finished', id) end
  else
    if old_lease ~= '' then redis.call('ZREM', P .. 'leases', id) end
    redis.call('ZADD', P .. 'finished', done, id)
  end
end
local function write_value(key, data, created, expires, owner, ttl)
  redis.call('DEL', key)
  local fields = { 'd', data, 'c', created }
  if expires ~= '' then fields[#fields + 1] = 'e'; fields[#fields + 1] = expires end
  if owner ~= '' then fields[#fields + 1] = 'o'; fields[#fields + 1] = string.sub(owner, 2) end
  redis.call('HSET', key, unpack(fields))
  if ttl ~= '' then redis.call('PEXPIRE', key, ttl) end
end
`;

/**
 * KEYS: task, value. ARGV: prefix, id, json (without retryCount and version), status, owner, lease, done,
 * maxActive, origin. The store numbers the run: retryCount is the replaced task's plus one, else 0.
 * Returns {1, retryCount} | {0, 'active', json} | {0, 'capacity', count}.
 */
export const CREATE_TASK = `${HELPERS}
local P, id = ARGV[1], ARGV[2]
local old = redis.call('HMGET', KEYS[1], 's', 'o', 'j', 'r')
if old[1] and is_active(old[1]) then return { 0, 'active', old[3] } end
if ARGV[8] ~= '' then
  local active = redis.call('ZCARD', P .. 'i:pending') + redis.call('ZCARD', P .. 'i:processing')
  if active >= tonumber(ARGV[8]) then return { 0, 'capacity', active } end
end
local retries = 0
if old[1] then
  retries = (tonumber(old[4]) or 0) + 1
  unindex(P, id, old[1], old[2])
  redis.call('ZREM', P .. 'finished', id)
end
local json = '{"retryCount":' .. retries .. ',"version":1,' .. string.sub(ARGV[3], 2)
redis.call('DEL', KEYS[1], KEYS[2])
local q = redis.call('INCR', P .. 'seq')
redis.call('HSET', KEYS[1], 'j', json, 'v', 1, 's', ARGV[4], 'o', ARGV[5], 'q', q, 'l', ARGV[6], 'r', retries)
index(P, id, ARGV[4], ARGV[5], q)
track(P, id, ARGV[4], ARGV[6], ARGV[7], false, '')
redis.call('PUBLISH', P .. 'changes', ARGV[9] .. '\\n' .. json)
return { 1, retries }
`;

/**
 * KEYS: task, value. ARGV: prefix, id, expectedVersion, json, status, owner, lease, done, origin ("" for a
 * quiet lease renewal, which is not published), then for a result: data, createdAt, expiresAt, owner, ttlMs.
 * Returns {1} | {0} (gone) | {0, json} (stale).
 */
export const UPDATE_TASK = `${HELPERS}
local P, id = ARGV[1], ARGV[2]
local old = redis.call('HMGET', KEYS[1], 'v', 's', 'o', 'q', 'l')
if not old[1] then return { 0 } end
if tonumber(old[1]) ~= tonumber(ARGV[3]) then return { 0, redis.call('HGET', KEYS[1], 'j') } end
local s, o = ARGV[5], ARGV[6]
if s ~= old[2] or o ~= old[3] then
  unindex(P, id, old[2], old[3])
  index(P, id, s, o, old[4])
end
redis.call('HSET', KEYS[1], 'j', ARGV[4], 'v', tonumber(ARGV[3]) + 1, 's', s, 'o', o, 'l', ARGV[7])
track(P, id, s, ARGV[7], ARGV[8], old[2], old[5] or '')
if #ARGV > 9 then write_value(KEYS[2], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14]) end
if ARGV[9] ~= '' then redis.call('PUBLISH', P .. 'changes', ARGV[9] .. '\\n' .. ARGV[4]) end
return { 1 }
`;

/** KEYS: value. ARGV: data, createdAt, expiresAt, owner, ttlMs. */
export const SET_VALUE = `${HELPERS}
write_value(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1
`;

/**
 * ARGV: prefix, after (exclusive sequence number), limit, owner, statuses… Merges the per-status indexes
 * by creation sequence. Returns {nextCursor or '', {json…}}.
 */
export const LIST_TASKS = `${HELPERS}
local P, after, limit, o = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
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
if #found > limit then cursor = string.format('%d', found[n][1]) end
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
export const REMOVE_FINISHED = `${HELPERS}
local P = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #ids do
  local key = P .. 't:' .. ids[i]
  local old = redis.call('HMGET', key, 's', 'o')
  if old[1] then unindex(P, ids[i], old[1], old[2]) end
  redis.call('ZREM', P .. 'finished', ids[i])
  redis.call('DEL', key)
end
return ids
`;
