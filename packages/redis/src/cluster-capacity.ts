/**
 * `maxActiveTasks` on the cluster layout. A bucket's create script cannot count the other buckets (they
 * live in other slots), so creates that check capacity take turns: each holds one lock key (in a slot of
 * its own, `SET NX PX`) while it sums the per-bucket active counts and, when there is room, creates. So
 * the count is exact among capacity-checked creates as long as a holder finishes within the lock's expiry
 * (the command timeout: a holder that stalls past it may let one more in); creates without
 * `maxActiveTasks` never wait. Costs one round trip per bucket plus two for the lock, per checked create.
 */
import { randomUUID } from "node:crypto";
import { COUNT_ACTIVE, FREE_LOCK, TAKE_LOCK } from "./cluster-scripts.js";
import { StoreError } from "./contract.js";
import { monotonicNow } from "./deadlines.js";
import type { KeyLayout } from "./key-layout.js";
import { luaScript, type RedisConnection } from "./redis-connection.js";

const countActive = luaScript(COUNT_ACTIVE);
const takeLock = luaScript(TAKE_LOCK);
const freeLock = luaScript(FREE_LOCK);

/** The lock's key: under the prefix, with a hash tag no bucket uses. */
export function capacityLockKey(keys: KeyLayout): string {
  return `${keys.prefix}{rc-capacity}:lock`;
}

/** Active tasks over every bucket: pending or processing, and not with a lease ended on the server's clock. */
export async function countActiveTasks(connection: RedisConnection, keys: KeyLayout, refId: string): Promise<number> {
  const counts = await Promise.all(
    keys.buckets.map((b) =>
      connection.script<number>("active task count", refId, countActive, [`${b.prefix}seq`], [b.prefix]),
    ),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * Runs `body` while holding the capacity lock; waits for it (polling, backing off to 50 ms) up to the
 * command timeout, then fails with STORE_ERROR.
 */
export async function withCapacityLock<T>(
  connection: RedisConnection,
  keys: KeyLayout,
  refId: string,
  body: () => Promise<T>,
): Promise<T> {
  const key = capacityLockKey(keys);
  const token = randomUUID();
  const ttlMs = connection.commandTimeoutMs;
  const end = monotonicNow() + ttlMs;
  for (let wait = 1; ; wait = Math.min(50, wait * 2)) {
    const taken = await connection.script<number>("capacity lock", refId, takeLock, [key], [token, ttlMs]);
    if (taken === 1) break;
    if (monotonicNow() >= end) {
      throw new StoreError(
        `the capacity lock stayed taken for ${ttlMs} ms (maxActiveTasks on a cluster)`,
        refId,
        undefined,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  try {
    return await body();
  } finally {
    await connection.script<number>("capacity unlock", refId, freeLock, [key], [token]).catch(() => undefined);
  }
}
