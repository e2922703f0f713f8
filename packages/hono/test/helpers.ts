// Shared test plumbing: caches closed after each test, a deferred, and a Server-Sent Events reader.

import { RefCache, type RefCacheOptions, type TaskInfo } from "@mcp-refcache/core";
import { type Deferred, deferred } from "@mcp-refcache/core/testing";
import { Hono } from "hono";
import { afterEach } from "vitest";
import { refCacheRoutes } from "../src/index.js";
import type { RefCacheRoutesOptions } from "../src/options.js";

export { type Deferred, deferred };

/** A factory of caches that are all closed after each test of the calling file. */
export function useCaches(): (options?: RefCacheOptions) => RefCache {
  const made: RefCache[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((c) => c.close()));
  });
  return (options = {}) => {
    const cache = new RefCache({ name: "test", ...options });
    made.push(cache);
    return cache;
  };
}

/** The owner the test apps act for (an authenticated caller: it may list). */
export const TEST_OWNER = "auth:tester";
/** An owner resolver naming TEST_OWNER, as an auth middleware would. */
export const testOwner = (): string => TEST_OWNER;

/** An app with the routes mounted where the README mounts them, acting for TEST_OWNER unless told otherwise. */
export function mountRoutes(cache: RefCache, options: RefCacheRoutesOptions = {}): Hono {
  const app = new Hono();
  app.route("/refcache", refCacheRoutes(cache, { owner: testOwner, ...options }));
  return app;
}

/**
 * Registers a task that runs until `release` resolves (or it is aborted), returning `result`; owned by
 * TEST_OWNER unless `owner` says otherwise (`owner: null`: server-only).
 */
export async function registerHeldTask(
  cache: RefCache,
  refId: string,
  options: { owner?: string | null; result?: unknown } = {},
): Promise<{ release: () => void; aborted: () => boolean; task: TaskInfo }> {
  const gate = deferred<void>();
  let signal: AbortSignal | undefined;
  const task = await cache.registerTask(
    refId,
    async (context) => {
      signal = context.signal;
      await gate.promise;
      return options.result ?? { done: refId };
    },
    options.owner === null ? {} : { owner: options.owner ?? TEST_OWNER },
  );
  return { release: () => gate.resolve(), aborted: () => signal?.aborted === true, task };
}

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Parses a whole text/event-stream body (until the server ends it) into its events. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    // A block without data (a comment such as the keep-alive) dispatches no event.
    if (data.length > 0) events.push({ event, id, data: data.join("\n") });
  }
  return events;
}

/** The tasks carried by an event stream, read to its end. */
export async function readTaskEvents(response: Response): Promise<{ event: string; task: TaskInfo }[]> {
  return parseSse(await response.text()).map((e) => ({ event: e.event, task: JSON.parse(e.data) as TaskInfo }));
}

/** Reads events from a stream as they come; `next()` resolves with the next one, `undefined` at the end. */
export function sseReader(response: Response): { next(): Promise<SseEvent | undefined>; cancel(): Promise<void> } {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end + 2);
          buffer = buffer.slice(end + 2);
          const [event] = parseSse(block);
          if (event !== undefined) return event;
          continue; // a comment (keep-alive): no event
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** The JSON of a problem+json answer, after checking its content type. */
export async function problemOf(response: Response): Promise<Record<string, unknown>> {
  if (response.headers.get("content-type") !== "application/problem+json") {
    throw new Error(`expected problem+json, got ${response.headers.get("content-type")}: ${await response.text()}`);
  }
  return (await response.json()) as Record<string, unknown>;
}

/** The target of a response's `Link: <…>; rel="next"` header (RFC 8288), or undefined. */
export function nextOf(response: Response): string | undefined {
  const link = response.headers.get("link");
  return link === null ? undefined : /^<([^>]+)>;\s*rel="next"$/.exec(link)?.[1];
}
