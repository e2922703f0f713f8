/**
 * `GET /live`: every task as Server-Sent Events, for the page. First the tasks the store holds now, then
 * one `task` event per change, from this instance and (with a store that can tell) from others.
 *
 * An operator view: it reads as server-side code (every owner's tasks), so the app serves it only to
 * allowed hosts and origins (`hostOriginGuard`). The stream ends with its request (client gone, request
 * aborted; a `HEAD` request gets the headers and no stream), and a slow reader costs a bounded backlog:
 * unsent changes are kept as the latest state per task, for at most `MAX_UNSENT_TASKS` tasks.
 */
import type { RefCache, TaskInfo } from "@mcp-refcache/core";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";

/** How often a quiet stream sends a comment, so proxies keep it open (ms). */
const KEEPALIVE_MS = 15_000;
/** Most tasks sent in the first snapshot. */
const SNAPSHOT_LIMIT = 1_000;
/** Most tasks whose unsent latest state one stream keeps; the oldest is dropped past it. */
export const MAX_UNSENT_TASKS = 1_000;

export function liveEvents(cache: RefCache) {
  return (c: Context) => {
    // Nobody reads a HEAD response's body: a stream here would run (and listen) forever.
    if (c.req.method === "HEAD") return c.body(null, 200, { "Content-Type": "text/event-stream" });
    const requestSignal = c.req.raw.signal;
    return streamSSE(c, async (stream) => {
      /** The latest unsent state of each task that changed, oldest change first. */
      const unsent = new Map<string, TaskInfo>();
      let wake: (() => void) | undefined;
      let open = true;
      // Subscribe before reading, so no change between the two is lost.
      const unsubscribe = cache.onTaskChange((info) => {
        unsent.delete(info.refId);
        unsent.set(info.refId, info);
        if (unsent.size > MAX_UNSENT_TASKS) unsent.delete(unsent.keys().next().value as string);
        wake?.();
      });
      const end = () => {
        open = false;
        unsubscribe();
        wake?.();
      };
      stream.onAbort(end);
      requestSignal?.addEventListener("abort", end, { once: true });
      try {
        if (requestSignal?.aborted) return;
        const { tasks } = await cache.queryTasks({ limit: SNAPSHOT_LIMIT });
        tasks.sort((a, b) => a.startedAt - b.startedAt);
        for (const task of tasks) {
          if (!open) return;
          await stream.writeSSE({ event: "task", data: JSON.stringify(task) });
        }
        while (open && !stream.aborted) {
          const [next] = unsent.values();
          if (next !== undefined) {
            unsent.delete(next.refId);
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
          if (!woke && open && !stream.aborted) await stream.write(": keep-alive\n\n");
        }
      } finally {
        end();
        requestSignal?.removeEventListener("abort", end);
      }
    });
  };
}
