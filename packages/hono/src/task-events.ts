/**
 * The Server-Sent Events stream of one task: its current state first, then one event per change until it
 * is terminal. Changes come from `cache.onTaskChange`; when none arrives for `pollIntervalMs` the stream
 * reads the store itself, so it also follows work that another instance runs through a shared store. A
 * stream with nothing to say for `keepAliveMs` sends a comment line, which clients ignore.
 *
 * A stream never outlives its request and holds at most `MAX_UNSENT` unsent states: it ends (and stops
 * listening) when the task ends, the client goes away or the request is aborted; a `HEAD` request gets
 * the headers and no stream at all; while a slow reader is further behind, the oldest unsent states are
 * dropped (each event carries the whole task, so the latest says all a reader needs, and the terminal
 * state, always the last, is never dropped).
 */
import {
  isTaskNews,
  isTerminalStatus,
  isVisibleTo,
  type RefCache,
  type TaskInfo,
  TaskNotFoundError,
} from "@mcp-refcache/core";
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { type RequestScope, visibleTask } from "./scope.js";

export interface TaskEventsOptions {
  refId: string;
  scope: RequestScope;
  pollIntervalMs: number;
  keepAliveMs: number;
}

/** Unsent changes one stream keeps for a slow reader; older ones are dropped past this. */
export const MAX_UNSENT = 16;

/** A comment line: it keeps an idle connection open, and EventSource dispatches nothing for it. */
const KEEP_ALIVE = ": keep-alive\n\n";

/** What a client sees of a change: the event name is the status, the data the task as JSON. */
function writeTask(stream: SSEStreamingApi, task: TaskInfo, sequence: number): Promise<void> {
  return stream.writeSSE({ event: task.status, id: String(sequence), data: JSON.stringify(task) });
}

/**
 * Answers 404 (by throwing) when the caller may not see the task; otherwise streams it. Subscribes
 * before the first read so that no change between the read and the subscription is lost.
 */
export async function taskEventsResponse(cache: RefCache, c: Context, options: TaskEventsOptions): Promise<Response> {
  const { refId, scope, pollIntervalMs, keepAliveMs } = options;
  if (c.req.method === "HEAD") {
    // Nobody reads a HEAD response's body: a stream here would run (and listen) forever.
    if ((await visibleTask(cache, refId, scope)) === undefined) throw new TaskNotFoundError(refId);
    return c.body(null, 200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  }
  const requestSignal = c.req.raw.signal;
  /** Changes not yet sent, newest last; bounded, so a slow or stuck reader costs little. */
  const unsent: TaskInfo[] = [];
  let wake: (() => void) | undefined;
  let listening = true;
  const stopListening = () => {
    if (!listening) return;
    listening = false;
    unsubscribe();
  };
  const unsubscribe = cache.onTaskChange((task) => {
    if (task.refId !== refId || !isVisibleTo(task, scope.owner)) return;
    if (unsent.length >= MAX_UNSENT) unsent.shift();
    unsent.push(task);
    // Nothing follows a terminal state: stop listening now, even if the reader never takes this one.
    if (isTerminalStatus(task.status)) stopListening();
    wake?.();
  });

  let first: TaskInfo | undefined;
  try {
    first = await visibleTask(cache, refId, scope);
  } catch (error) {
    stopListening();
    throw error;
  }
  if (first === undefined || requestSignal?.aborted) {
    stopListening();
    if (first === undefined) throw new TaskNotFoundError(refId);
  }
  const initial = first as TaskInfo;

  return streamSSE(
    c,
    async (stream) => {
      let aborted = requestSignal?.aborted === true;
      const abort = () => {
        aborted = true;
        stopListening();
        wake?.();
      };
      stream.onAbort(abort);
      requestSignal?.addEventListener("abort", abort, { once: true });
      // Wakes on a change, an abort, or when the store is due a read or the client a keep-alive.
      const nextSignal = () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pollIntervalMs, keepAliveMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }).finally(() => {
          wake = undefined;
        });

      try {
        let sequence = 0;
        let last = initial;
        if (!aborted) await writeTask(stream, last, sequence++);
        let wroteAt = Date.now();
        while (!aborted && !isTerminalStatus(last.status)) {
          if (unsent.length === 0) await nextSignal();
          if (aborted) break;
          const next = unsent.shift() ?? (await visibleTask(cache, refId, scope));
          // Gone (cleaned up) or replaced by a new run: the run this stream followed is over.
          if (next === undefined || next.runId !== initial.runId) break;
          if (!isTaskNews(next, last)) {
            if (Date.now() - wroteAt >= keepAliveMs) {
              await stream.write(KEEP_ALIVE);
              wroteAt = Date.now();
            }
            continue;
          }
          last = next;
          await writeTask(stream, last, sequence++);
          wroteAt = Date.now();
        }
      } finally {
        stopListening();
        requestSignal?.removeEventListener("abort", abort);
      }
      // With an error callback, Hono ends the stream with an `error` event carrying the message.
    },
    async () => {},
  );
}
