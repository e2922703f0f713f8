/**
 * `GET /live`: every task as Server-Sent Events, for the page. First the tasks the store holds now, then
 * one `task` event per change, from this instance and (with a store that can tell) from others.
 */
import type { RefCache, TaskInfo } from "@mcp-refcache/core";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";

/** How often a quiet stream sends a comment, so proxies keep it open (ms). */
const KEEPALIVE_MS = 15_000;
/** Most tasks sent in the first snapshot. */
const SNAPSHOT_LIMIT = 1_000;

export function liveEvents(cache: RefCache) {
  return (c: Context) =>
    streamSSE(c, async (stream) => {
      const queue: TaskInfo[] = [];
      let wake: (() => void) | undefined;
      // Subscribe before reading, so no change between the two is lost.
      const unsubscribe = cache.onTaskChange((info) => {
        queue.push(info);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        const { tasks } = await cache.queryTasks({ limit: SNAPSHOT_LIMIT });
        tasks.sort((a, b) => a.startedAt - b.startedAt);
        for (const task of tasks) await stream.writeSSE({ event: "task", data: JSON.stringify(task) });
        while (!stream.aborted) {
          const next = queue.shift();
          if (next !== undefined) {
            await stream.writeSSE({ event: "task", data: JSON.stringify(next) });
            continue;
          }
          const woke = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          wake = undefined;
          if (!woke && !stream.aborted) await stream.write(": keep-alive\n\n");
        }
      } finally {
        unsubscribe();
      }
    });
}
