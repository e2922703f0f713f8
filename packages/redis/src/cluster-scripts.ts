/**
 * The scripts of the cluster layout. A transition is the single layout's script run on one bucket (the
 * bucket's prefix as P: every key it touches shares the bucket's hash slot), with two differences made by
 * rewriting the single layout's text, so both layouts keep one definition of each transition:
 * changes go out with SPUBLISH on the bucket's shard channel (sharded pub/sub, Redis >= 7), and the
 * creation sequence is the server's time in µs (kept increasing within the bucket), so that the buckets'
 * lists merge in creation order by one score (exactly on one node; across masters as far as their clocks
 * agree, ties going by bucket); and finish times are
 * kept in µs, so that clean-up, which merges the buckets' oldest, removes the oldest first (on one node
 * exactly; across masters as far as their clocks agree).
 *
 * Listing runs per bucket (LIST_BUCKET) and merges in the store; a cursor is still a ref id, resolved by
 * CURSOR_SCORE in its own bucket with the single layout's owner check.
 */
import { CREATE_TASK, LIST_EXPIRED_LEASES, REMOVE_FINISHED, UPDATE_TASK } from "./lua-scripts.js";

function rewrite(script: string, from: string, to: string): string {
  if (!script.includes(from)) throw new Error(`cluster script rewrite: "${from}" not found`);
  return script.split(from).join(to);
}

const sharded = (script: string) => rewrite(script, "redis.call('PUBLISH'", "redis.call('SPUBLISH'");
const finishedInMicroseconds = (script: string) =>
  rewrite(
    script,
    "redis.call('ZADD', P .. 'finished', now_s, id)",
    "redis.call('ZADD', P .. 'finished', string.format('%d', now_t[1] * 1000000 + now_t[2]), id)",
  );

export const CLUSTER_CREATE_TASK = sharded(
  finishedInMicroseconds(
    rewrite(
      CREATE_TASK,
      "local q = tostring(redis.call('INCR', P .. 'seq'))",
      `local q = string.format('%d', math.max(now_t[1] * 1000000 + now_t[2], (tonumber(redis.call('GET', P .. 'seq')) or 0) + 1))
redis.call('SET', P .. 'seq', q)`,
    ),
  ),
);
export const CLUSTER_UPDATE_TASK = sharded(finishedInMicroseconds(UPDATE_TASK));
export const CLUSTER_REMOVE_FINISHED = sharded(
  rewrite(
    REMOVE_FINISHED,
    "local before = string.format('%d', now - tonumber(ARGV[2]))",
    "local before = string.format('%d', now_t[1] * 1000000 + now_t[2] - tonumber(ARGV[2]) * 1000)",
  ),
);

/**
 * KEYS: the bucket's sequence key (routes the call). ARGV: prefix (the bucket's), olderThanMs, limit.
 * Returns {ids, finish times (µs)} of the bucket's oldest tasks that finished at least olderThanMs ago.
 */
export const LIST_FINISHED = `
local P = ARGV[1]
local t = redis.call('TIME')
local before = string.format('%d', t[1] * 1000000 + t[2] - tonumber(ARGV[2]) * 1000)
local page = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', before, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local ids, scores = {}, {}
for j = 1, #page, 2 do ids[#ids + 1] = page[j]; scores[#scores + 1] = page[j + 1] end
return { ids, scores }
`;

/**
 * KEYS: the capacity lock. ARGV: token, ttlMs. Takes the lock when free (SET NX PX); returns 1 if taken.
 */
export const TAKE_LOCK = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`;

/** KEYS: the capacity lock. ARGV: token. Frees the lock if this token still holds it. */
export const FREE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
export const CLUSTER_LIST_EXPIRED_LEASES = LIST_EXPIRED_LEASES;

/**
 * KEYS: the task (routes the call to its bucket). ARGV: prefix (the bucket's), id, owner. Returns the
 * task's creation score, or -1 when the task is gone or the owner given does not hold it (alike, so a
 * cursor cannot probe for other owners' ids).
 */
export const CURSOR_SCORE = `
local held = redis.call('HMGET', KEYS[1], 'q', 'o')
if not held[1] or (ARGV[3] ~= '' and held[2] ~= ARGV[3]) then return -1 end
return held[1]
`;

/**
 * KEYS: the bucket's sequence key (routes the call). ARGV: prefix (the bucket's), min (a ZRANGEBYSCORE
 * bound: "-inf", a score, or "(" and a score), limit, owner, statuses… Returns {ids, scores, jsons,
 * leaseExpired (0|1)…}: the bucket's first `limit` tasks from `min` on, by creation score.
 */
export const LIST_BUCKET = `
local P, min, limit, o = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local found = {}
for i = 5, #ARGV do
  local key = P .. 'i:' .. ARGV[i]
  if o ~= '' then key = P .. 'io:' .. ARGV[i] .. ':' .. o end
  local page = redis.call('ZRANGEBYSCORE', key, min, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
  for j = 1, #page, 2 do found[#found + 1] = { tonumber(page[j + 1]), page[j], page[j + 1] } end
end
table.sort(found, function(a, b) return a[1] < b[1] end)
local n = math.min(#found, limit)
local ids, scores, tasks, expired = {}, {}, {}, {}
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
for j = 1, n do
  local h = redis.call('HMGET', P .. 't:' .. found[j][2], 'j', 's', 'l')
  ids[j], scores[j], tasks[j], expired[j] = found[j][2], found[j][3], h[1], 0
  if h[3] and h[3] ~= '' and (h[2] == 'pending' or h[2] == 'processing') and tonumber(h[3]) <= now then
    expired[j] = 1
  end
end
return { ids, scores, tasks, expired }
`;

/**
 * KEYS: the bucket's sequence key (routes the call). ARGV: prefix (the bucket's). Returns how many of the
 * bucket's tasks are active: pending or processing, and not with a lease ended on the server's clock.
 */
export const COUNT_ACTIVE = `
local P = ARGV[1]
local t = redis.call('TIME')
local now = string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))
return redis.call('ZCARD', P .. 'i:pending') + redis.call('ZCARD', P .. 'i:processing')
  - redis.call('ZCOUNT', P .. 'leases', '-inf', now)
`;
