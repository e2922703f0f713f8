/**
 * The three task registries the benchmarks compare, each driven through the same lifecycle:
 * register → 3 progress updates → complete with a small result → read the status.
 * RefCache (default memory stores), the MCP SDK v1 `InMemoryTaskStore`, and a bare Map as the floor.
 */
import { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import type { RefCache } from "../src/index.js";

/** The RefCache class a subject runs: the built package's (see `loadBuiltCore`) or the source's. */
export type RefCacheClass = typeof RefCache;

/**
 * The built package, as users run it. Probes run under a TypeScript loader that would otherwise add its
 * own cost (it keeps function names by wrapping them) to RefCache's code and to nobody else's. Imported
 * through a computed path: the types come from the source, and typechecking needs no build.
 */
export async function loadBuiltCore(): Promise<typeof import("../src/index.js")> {
  const built = new URL("../dist/index.js", import.meta.url).href;
  return (await import(built)) as typeof import("../src/index.js");
}

export const fixedClock = { now: () => 1_700_000_000_000 };

/** What a finished tool call leaves behind, the same shape for every subject. */
export const toolResult = () => ({ content: [{ type: "text", text: "done: 42 rows" }] });

/** The request the SDK keeps with each task (shared: the SDK is not charged for it). */
const request = { method: "tools/call", params: { name: "slow_tool", arguments: {} } } as const;

export interface Subject {
  /** Runs one lifecycle and returns the task's id. */
  lifecycle(): Promise<string>;
  /** Drops every task (between benchmark rounds, so no subject pays for a growing heap). */
  reset(): Promise<void>;
  /** Number of tasks held. */
  size(): number;
}

export function refCacheSubject(Cache: RefCacheClass): Subject {
  let cache = new Cache({ clock: fixedClock });
  return {
    async lifecycle() {
      const id = cache.newRefId();
      await cache.registerTask(id, {});
      await cache.updateTaskProgress(id, { current: 1, total: 3, message: "step 1 of 3" });
      await cache.updateTaskProgress(id, { current: 2, total: 3, message: "step 2 of 3" });
      await cache.updateTaskProgress(id, { current: 3, total: 3, message: "step 3 of 3" });
      await cache.completeTask(id, toolResult());
      const info = await cache.getTask(id);
      if (info?.status !== "complete") throw new Error(`unexpected status ${info?.status}`);
      return id;
    },
    async reset() {
      await cache.close();
      cache = new Cache({ clock: fixedClock });
    },
    size: () => cache.listTasks().length,
  };
}

export function sdkSubject(): Subject {
  let store = new InMemoryTaskStore();
  let requestId = 0;
  return {
    async lifecycle() {
      const task = await store.createTask({}, requestId++, request);
      const id = task.taskId;
      await store.updateTaskStatus(id, "working", "step 1 of 3");
      await store.updateTaskStatus(id, "working", "step 2 of 3");
      await store.updateTaskStatus(id, "working", "step 3 of 3");
      await store.storeTaskResult(id, "completed", toolResult());
      const info = await store.getTask(id);
      if (info?.status !== "completed") throw new Error(`unexpected status ${info?.status}`);
      return id;
    },
    async reset() {
      store.cleanup();
      store = new InMemoryTaskStore();
    },
    size: () => store.getAllTasks().length,
  };
}

interface MapTask {
  id: string;
  status: "working" | "completed";
  startedAt: number;
  updatedAt: number;
  progress?: { current: number; total: number; message: string };
  result?: unknown;
}

/** The floor: a Map of plain records, random UUIDs, no validation, no history, no fencing. */
export function mapSubject(): Subject {
  let tasks = new Map<string, MapTask>();
  const working = (id: string): MapTask => {
    const task = tasks.get(id);
    if (task === undefined || task.status !== "working") throw new Error(`${id} is not working`);
    return task;
  };
  const create = async (): Promise<string> => {
    const id = globalThis.crypto.randomUUID();
    const now = fixedClock.now();
    tasks.set(id, { id, status: "working", startedAt: now, updatedAt: now });
    return id;
  };
  const progress = async (id: string, current: number, total: number, message: string): Promise<void> => {
    const task = working(id);
    task.progress = { current, total, message };
    task.updatedAt = fixedClock.now();
  };
  const complete = async (id: string, result: unknown): Promise<void> => {
    const task = working(id);
    task.status = "completed";
    task.result = result;
    task.updatedAt = fixedClock.now();
  };
  const get = async (id: string): Promise<Omit<MapTask, "result"> | undefined> => {
    const task = tasks.get(id);
    if (task === undefined) return undefined;
    const { result: _result, ...info } = task;
    return info.progress === undefined ? info : { ...info, progress: { ...info.progress } };
  };
  return {
    async lifecycle() {
      const id = await create();
      await progress(id, 1, 3, "step 1 of 3");
      await progress(id, 2, 3, "step 2 of 3");
      await progress(id, 3, 3, "step 3 of 3");
      await complete(id, toolResult());
      const info = await get(id);
      if (info?.status !== "completed") throw new Error(`unexpected status ${info?.status}`);
      return id;
    },
    async reset() {
      tasks = new Map();
    },
    size: () => tasks.size,
  };
}

/** The three subjects, RefCache from `Cache`. */
export function makeSubjects(Cache: RefCacheClass): Record<SubjectName, Subject> {
  return { RefCache: refCacheSubject(Cache), "SDK InMemoryTaskStore": sdkSubject(), Map: mapSubject() };
}

export const SUBJECT_NAMES = ["RefCache", "SDK InMemoryTaskStore", "Map"] as const;
export type SubjectName = (typeof SUBJECT_NAMES)[number];
