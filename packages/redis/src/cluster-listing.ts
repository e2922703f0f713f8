/**
 * `queryTasks` on the cluster layout: every bucket lists its own first tasks after the cursor (one script
 * per bucket, all sent at once), and the pages merge here by (creation score, bucket index), a total order
 * that stays fixed while tasks come and go, so a cursor never skips or repeats a task that stays. The
 * cursor is the ref id of the page's last task, as in the single layout: resolving it (CURSOR_SCORE, in its
 * own bucket) refuses ids that are gone or that the query's owner does not hold, so a cursor reveals
 * nothing about other owners' tasks or how many there are.
 */
import { CURSOR_SCORE, LIST_BUCKET, LIST_FINISHED } from "./cluster-scripts.js";
import type { TaskStatus } from "./contract.js";
import type { KeyLayout } from "./key-layout.js";
import { luaScript, type RedisConnection } from "./redis-connection.js";

const cursorScore = luaScript(CURSOR_SCORE);
const listBucket = luaScript(LIST_BUCKET);

export interface ListedTask {
  json: string | null;
  expired: number;
}

/** Where a page starts: after the task with this score in this bucket. */
interface After {
  score: number;
  raw: string;
  bucket: number;
}

/** The creation score of the cursor's task, or undefined when the cursor is refused. */
async function resolveCursor(
  connection: RedisConnection,
  keys: KeyLayout,
  refId: string,
  owner: string,
): Promise<After | undefined> {
  const bucket = keys.bucketOf(refId);
  const reply = await connection.script<string | number>(
    "task list cursor",
    refId,
    cursorScore,
    [keys.task(refId)],
    [bucket.prefix, refId, owner],
  );
  if (typeof reply === "number") return undefined;
  return { score: Number(reply), raw: reply, bucket: bucket.index };
}

/**
 * One page across all buckets. Returns undefined when the cursor is refused, else the page's tasks (JSON
 * and lease flag) and the ref id of its last task when more follow.
 */
export async function listClusterPage(
  connection: RedisConnection,
  keys: KeyLayout,
  cursor: string | undefined,
  limit: number,
  owner: string,
  statuses: readonly TaskStatus[],
): Promise<{ tasks: ListedTask[]; next?: string } | undefined> {
  let after: After | undefined;
  if (cursor !== undefined && cursor !== "") {
    after = await resolveCursor(connection, keys, cursor, owner);
    if (after === undefined) return undefined;
  }
  // Buckets after the cursor's bucket start at its score, the others after it: (score, bucket) order.
  const pages = await Promise.all(
    keys.buckets.map((bucket) => {
      const min = after === undefined ? "-inf" : bucket.index > after.bucket ? after.raw : `(${after.raw}`;
      return connection.script<[string[], string[], (string | null)[], number[]]>(
        "task list",
        undefined,
        listBucket,
        [`${bucket.prefix}seq`],
        [bucket.prefix, min, limit + 1, owner, ...statuses],
      );
    }),
  );
  const found: { score: number; bucket: number; id: string; json: string | null; expired: number }[] = [];
  pages.forEach(([ids, scores, jsons, expired], bucket) => {
    for (let i = 0; i < ids.length; i++) {
      found.push({
        score: Number(scores[i]),
        bucket,
        id: ids[i] as string,
        json: jsons[i] ?? null,
        expired: expired[i] as number,
      });
    }
  });
  found.sort((a, b) => a.score - b.score || a.bucket - b.bucket);
  const page = found.slice(0, limit);
  const tasks = page.map(({ json, expired }) => ({ json, expired }));
  const last = page[page.length - 1];
  return found.length > limit && last !== undefined ? { tasks, next: last.id } : { tasks };
}

const listFinished = luaScript(LIST_FINISHED);

/**
 * How many of each bucket's finished tasks a clean-up of `limit` removes, oldest first over all buckets:
 * reads each bucket's oldest candidates and merges them by (finish time, bucket). `rank` gives each
 * chosen id's place in that order, to return the removed ids oldest first.
 */
export async function finishedPerBucket(
  connection: RedisConnection,
  keys: KeyLayout,
  olderThanMs: number,
  limit: number,
): Promise<{ counts: number[]; rank: Map<string, number> }> {
  const pages = await Promise.all(
    keys.buckets.map((bucket) =>
      connection.script<[string[], string[]]>(
        "finished task listing",
        undefined,
        listFinished,
        [`${bucket.prefix}seq`],
        [bucket.prefix, olderThanMs, limit],
      ),
    ),
  );
  const found: { score: number; bucket: number; id: string }[] = [];
  pages.forEach(([ids, scores], bucket) => {
    scores.forEach((score, i) => {
      found.push({ score: Number(score), bucket, id: ids[i] as string });
    });
  });
  found.sort((a, b) => a.score - b.score || a.bucket - b.bucket);
  const counts = keys.buckets.map(() => 0);
  const rank = new Map<string, number>();
  for (const { bucket, id } of found.slice(0, limit)) {
    counts[bucket] = (counts[bucket] as number) + 1;
    rank.set(id, rank.size);
  }
  return { counts, rank };
}
