/**
 * The three task registries the benchmarks compare, each driven through the same lifecycle:
 * register → 3 progress updates → complete with a small result → read the status.
 * RefCache (default memory stores), the MCP SDK v1 `InMemoryTaskStore`, and a bare Map as the floor.
 */
import { pathToFileURL } from "node:url";
import type { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import type { RefCache } from "../src/index.js";

/** The RefCache class a subject runs: the built package's (see `loadBuiltCore`) or the source's. */
export type RefCacheClass = typeof RefCache;

/**
 * The built package, as users run it. Probes run under a TypeScript loader that would otherwise add its
 * own cost (it keeps function names by wrapping them) to RefCache's code and to nobody else's. Imported
 * through a computed path: the types come from the source, and typechecking needs no build.
 */
export async function loadBuiltCore(): Promise<typeof import("../src/index.js")> {
  // BENCH_CORE_DIST names another build's folder, to compare two builds with the same probes (A/B).
  const dist = process.env.BENCH_CORE_DIST;
  const built =
    dist === undefined ? new URL("../dist/index.js", import.meta.url).href : pathToFileURL(`${dist}/index.js`).href;
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

/** The SDK's store class, passed in so a probe of another subject never loads the SDK. */
export type SdkStoreClass = typeof InMemoryTaskStore;

export function sdkSubject(Store: SdkStoreClass): Subject {
  let store = new Store();
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
      store = new Store();
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

/** Random bytes drawn 4 KiB at a time for the Map's ids. */
const idPool = new Uint8Array(4096);
let idPoolOffset = idPool.length;
const idCodes = new Array<number>(32).fill(0);
const HEX = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/**
 * 128 random bits as 32 hex digits, one flat string. Not `crypto.randomUUID()`: Node builds that as a
 * rope of some twenty pieces which a Map key keeps, about 440 heap bytes more per task than the flat
 * string every other subject keeps, and that would lift the floor the bytes target is measured from.
 */
function flatRandomId(): string {
  if (idPoolOffset + 16 > idPool.length) {
    globalThis.crypto.getRandomValues(idPool);
    idPoolOffset = 0;
  }
  for (let i = 0; i < 16; i++) {
    const byte = idPool[idPoolOffset + i] as number;
    idCodes[2 * i] = HEX[byte >> 4] as number;
    idCodes[2 * i + 1] = HEX[byte & 15] as number;
  }
  idPoolOffset += 16;
  return String.fromCharCode(...idCodes);
}

/** The floor: a Map of plain records, random flat ids, no validation, no history, no fencing. */
export function mapSubject(): Subject {
  let tasks = new Map<string, MapTask>();
  const working = (id: string): MapTask => {
    const task = tasks.get(id);
    if (task === undefined || task.status !== "working") throw new Error(`${id} is not working`);
    return task;
  };
  const create = async (): Promise<string> => {
    const id = flatRandomId();
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

export const SUBJECT_NAMES = ["RefCache", "SDK InMemoryTaskStore", "Map"] as const;
export type SubjectName = (typeof SUBJECT_NAMES)[number];

/**
 * Loads the one module a subject runs (the built core, the SDK's store, or nothing for the Map) and
 * returns a factory of that subject, so a fresh process pays for its own subject's code only.
 */
export async function loadSubject(name: SubjectName): Promise<() => Subject> {
  switch (name) {
    case "RefCache": {
      const { RefCache: Cache } = await loadBuiltCore();
      return () => refCacheSubject(Cache);
    }
    case "SDK InMemoryTaskStore": {
      const { InMemoryTaskStore: Store } = await import("@modelcontextprotocol/sdk/experimental/tasks");
      return () => sdkSubject(Store);
    }
    case "Map":
      return () => mapSubject();
  }
}

/** The subject named by a probe's first argument, or an error naming the known ones. */
export function subjectArg(arg: string | undefined): SubjectName {
  if (!SUBJECT_NAMES.includes(arg as SubjectName)) {
    throw new Error(`unknown subject ${arg}; one of ${SUBJECT_NAMES.join(", ")}`);
  }
  return arg as SubjectName;
}
