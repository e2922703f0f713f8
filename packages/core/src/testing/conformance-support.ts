/**
 * What the store conformance suite's parts share: the stores under test, a clock that moves only when
 * told to, waiting helpers, and the task drafts the tests write.
 */
import { expect } from "vitest";
import type { TaskProgress } from "../models.js";
import type { RefCache } from "../ref-cache.js";
import type { Store } from "../store.js";
import { STORED_TASK_KEYS, type StoredTask, TASK_PROGRESS_KEYS, type TaskStore } from "../task-store.js";

export interface ConformanceStores {
  store: Store;
  taskStore: TaskStore;
  /** Called after each test: delete what the test wrote, close connections. */
  cleanup?: () => Promise<void>;
}

/** A clock at the real time (so native TTLs agree with it) that moves only when told to. */
export class SteppingClock {
  time = Date.now();
  now(): number {
    return this.time;
  }
}

/**
 * Waits until `check` holds, for at most `timeoutMs` (generous: it bounds only a failing wait, and a loaded
 * machine may take seconds to deliver what a quiet one delivers in milliseconds).
 */
export const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 5));
  }
};

export const draft = (refId: string, now: number, extra: Partial<StoredTask> = {}): StoredTask => ({
  refId,
  status: "processing",
  startedAt: now,
  updatedAt: now,
  retryCount: 0,
  runId: `run-${refId}`,
  version: 0,
  leaseMs: 60_000,
  ...extra,
});

/** Ends `refId`'s lease (created by `draft`, version `version`) as soon as the store can: a 1 ms lease. */
export const expireLease = async (taskStore: TaskStore, refId: string, now: number, version = 1): Promise<void> => {
  const outcome = await taskStore.update(draft(refId, now, { leaseMs: 1 }), version);
  if (!outcome.ok) throw new Error(`could not shorten the lease of ${refId}`);
  await until(async () => (await taskStore.get(refId))?.leaseExpired === true);
};

/**
 * What a test of removal by age leaves to spare (ms) between the age it asks for and the ages of the tasks
 * either side: the store reads its own clock a while after this process read its own, up to this long on a
 * loaded machine (a Durable Object behind a request, Redis behind a busy connection).
 */
export const AGE_SPARE_MS = 1_000;

/** Waits until `ms` have passed on this process's clock (stores measure the same durations on theirs). */
export const pass = (ms: number): Promise<void> => {
  const end = Date.now() + ms;
  return until(() => Date.now() >= end, ms + 2_000);
};

/** A test body run with fresh stores, cleaned up after. */
export type WithStores = (body: (s: ConformanceStores) => Promise<void>) => () => Promise<void>;

/** A test body run with two caches over the same stores, as two instances behind a load balancer. */
export type WithTwoCaches = (
  body: (a: RefCache, b: RefCache, clock: SteppingClock, s: ConformanceStores) => Promise<void>,
) => () => Promise<void>;

/**
 * A task with every field of `StoredTask` set, progress with all of its fields, all but `leaseExpired` (a
 * store's to say on a read); `variant` changes every value. `satisfies Required<…>`: a field added to
 * StoredTask or TaskProgress fails to compile here until it has a value, and `expectEveryField` (which
 * walks STORED_TASK_KEYS) then checks every store keeps it.
 */
export function everyFieldTask(refId: string, now: number, variant = 0): StoredTask {
  const full = {
    refId,
    status: "processing",
    startedAt: now - 1_000 + variant,
    updatedAt: now + variant,
    retryCount: 0,
    runId: `run-${refId}`,
    owner: `owner-ü-${variant}`,
    progress: {
      current: 1 + variant,
      total: 4,
      message: `step ü😀 ${variant}`,
      percentage: 25 * (1 + variant),
    } satisfies Required<TaskProgress>,
    completedAt: now - 5 + variant,
    error: `error ${variant}`,
    resultExpiresAt: now + 60_000 + variant,
    resultExpired: true,
    resultExecuteOnly: true,
    version: 0,
    leaseMs: 60_000 + variant,
    leaseExpired: true,
    resultTtlMs: 5_000 + variant,
  } satisfies Required<StoredTask>;
  const { leaseExpired: _leaseExpired, ...written } = full;
  return written;
}

/**
 * Checks `read` holds every field of `written` (walking STORED_TASK_KEYS and TASK_PROGRESS_KEYS), at
 * `version`, and no `leaseExpired`.
 */
export function expectEveryField(read: StoredTask | undefined, written: StoredTask, version: number): void {
  expect(read).toBeDefined();
  for (const key of STORED_TASK_KEYS) {
    if (key === "leaseExpired") expect(read, key).not.toHaveProperty(key);
    else if (key === "version") expect(read?.version, key).toBe(version);
    else expect(read?.[key], key).toEqual(written[key]);
  }
  for (const key of TASK_PROGRESS_KEYS) expect(read?.progress?.[key], `progress.${key}`).toBe(written.progress?.[key]);
}
