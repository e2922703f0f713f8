/**
 * What the parts of a RefCache share: its validated options, its stores, its clock, and the bookkeeping
 * that lets `close()` wait for store calls in flight without ever waiting on user code.
 */
import * as z from "zod";
import { type Clock, ClockSchema, checkedNow, systemClock } from "./clock.js";
import type { DecodedValues } from "./decoded-values.js";
import { CacheClosedError, errorMessage, RefCacheError, StoreError, ValidationError } from "./errors.js";
import { MemoryTaskStore } from "./memory-task-store.js";
import { MAX_TIMER_MS, TtlSchema } from "./models.js";
import { hasMethods, parseOrThrow } from "./parse.js";
import { randomHex } from "./random-ids.js";
import { promiseFrom } from "./soon.js";
import { isValueStore, MemoryStore, type Store } from "./store.js";
import { checkReply } from "./store-replies.js";
import type { TaskStore } from "./task-store.js";
import {
  DEFAULT_MAX_VALUE_BYTES,
  type ResolvedValueBudget,
  serverValueBudget,
  ValueBudgetSchema,
} from "./values/value-budget.js";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** What a failing cache clock is (one function each, not a closure per reading). */
const clockFailed = (error: unknown) => new StoreError(`The clock failed: ${errorMessage(error)}`, undefined, error);
const clockInvalid = () =>
  ValidationError.single("clock", "clock.now() must return whole epoch milliseconds (≥ 0)", "custom");

const timerMs = z.number().int().positive().max(MAX_TIMER_MS, "must be at most 2147483647 ms (about 24.8 days)");

export const RefCacheOptionsSchema = z.strictObject({
  /** Names the cache; prefixes the ids of `newRefId()`. */
  name: z
    .string()
    .regex(NAME_PATTERN, "name may hold 1–64 letters, digits and . _ - and must start with a letter or digit")
    .default("refcache"),
  /** How often finished tasks older than the retention are removed (ms). */
  taskCleanupIntervalMs: timerMs.default(60_000),
  /** How long a finished task's status (and error) stays readable (ms). */
  taskRetentionMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(300_000),
  /** Time to live of stored values when a write names none (ms); `null` keeps them until deleted. */
  defaultTtlMs: TtlSchema.default(3_600_000),
  /**
   * How long a running task's lease lasts (ms). The instance running it renews it every third of that;
   * a task whose lease ran out without finishing (its process died) fails with "worker lost".
   */
  taskLeaseMs: timerMs.min(30, "must be at least 30 ms").default(30_000),
  /** Registering a task while this many are pending or processing (in the whole task store) is refused. */
  maxActiveTasks: z.number().int().positive().optional(),
  /** Names this instance in change events (`TaskChange.origin`); random by default. */
  instanceId: z.string().min(1).max(128).optional(),
  /**
   * Source of time for what this instance decides by itself (timestamps it writes, TTLs of values it
   * writes, the clock of the in-memory task store it makes); defaults to `Date.now`. Leases and the age of
   * finished tasks in a shared store are judged on the store's clock, never on this one.
   */
  clock: ClockSchema.optional(),
  /**
   * Told of failures in work no caller awaits: a result write that the store refuses (retried, then given
   * up), a lease renewal, the clean-up. Called with the typed error and where it happened; what it throws is
   * ignored.
   */
  onError: z
    .custom<ErrorHook>((v) => typeof v === "function", "onError must be a function (error, context) => void")
    .optional(),
  /** Value storage; defaults to a new `MemoryStore` (or the one a given `MemoryTaskStore` writes to). */
  store: z.custom<Store>(isValueStore, "store must implement get, set and delete").optional(),
  /** Task storage; defaults to a `MemoryTaskStore` over `store`. Pass the pair a store package creates. */
  taskStore: z
    .custom<TaskStore>(
      (v) => hasMethods(v, ["get", "create", "update", "list", "listExpiredLeases", "removeFinished"]),
      "taskStore must implement the TaskStore interface",
    )
    .optional(),
  /**
   * How big an answer clients are handed at once (`maxChars`, default 20,000 characters of compact JSON),
   * how big a whole value they may ask for (`maxFullChars`, default 40,000) and how sizes are counted
   * (`measure`, default UTF-16 code units). Adapters apply it; `get` in server code stays unbounded.
   */
  valueBudget: ValueBudgetSchema.optional(),
  /** Largest value stored (UTF-8 bytes of its JSON text); larger ones are refused with VALIDATION_ERROR. */
  maxValueBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_MAX_VALUE_BYTES),
  /**
   * Decoded values kept for previews and pages, shared with other caches over the same stores. On Workers,
   * where a RefCache is made per request, pass one made at module scope (`new DecodedValues()` starts no
   * timer and draws no random number): paging a large value then reads it whole once per isolate, and each
   * further page only its bookkeeping, instead of the whole value on every page. Share it only among caches
   * over the same stores. Default: the cache's own.
   */
  decodedValues: z
    // By its methods, not `instanceof`: one made by another copy of core (a duplicate install) serves too.
    .custom<DecodedValues>(
      (v) => hasMethods(v, ["pagedTree", "keepPaged", "decode", "forget", "clear"]),
      "decodedValues must be a DecodedValues",
    )
    .optional(),
});
export type RefCacheOptions = z.input<typeof RefCacheOptionsSchema>;

/** Where a background failure happened: the task's id, when one task is concerned, and the operation. */
export interface BackgroundErrorContext {
  refId?: string;
  /** `"result write"`, `"progress write"`, `"lease renewal"`, `"lease watch"` or `"clean-up"`. */
  operation: string;
}

/** The `onError` option: told of failures in work that no caller awaits. */
export type ErrorHook = (error: RefCacheError, context: BackgroundErrorContext) => void;

export class CacheContext {
  readonly name: string;
  readonly taskCleanupIntervalMs: number;
  readonly taskRetentionMs: number;
  readonly defaultTtlMs: number | null;
  readonly taskLeaseMs: number;
  readonly maxActiveTasks: number | undefined;
  readonly valueBudget: ResolvedValueBudget;
  readonly maxValueBytes: number;
  /** The `decodedValues` option: shared with other caches when given. */
  readonly decodedValues: DecodedValues | undefined;
  readonly #instanceId: string | undefined;
  #randomInstanceId: string | undefined;
  readonly store: Store;
  readonly taskStore: TaskStore;
  /** Whether the cache made its stores (and so closes them). */
  readonly ownsStores: boolean;
  closed = false;

  readonly #clock: Clock;
  readonly #onError: ErrorHook | undefined;
  /** Tracked calls not yet settled, and the `drain` calls waiting for none to be left. */
  #inflight = 0;
  #drained: (() => void)[] = [];
  readonly #settled = (): void => {
    if (--this.#inflight > 0 || this.#drained.length === 0) return;
    const waiting = this.#drained;
    this.#drained = [];
    for (const resolve of waiting) resolve();
  };

  constructor(options: RefCacheOptions) {
    const parsed = parseOrThrow(RefCacheOptionsSchema, options, "RefCache options");
    this.name = parsed.name;
    this.taskCleanupIntervalMs = parsed.taskCleanupIntervalMs;
    this.taskRetentionMs = parsed.taskRetentionMs;
    this.defaultTtlMs = parsed.defaultTtlMs;
    this.taskLeaseMs = parsed.taskLeaseMs;
    this.maxActiveTasks = parsed.maxActiveTasks;
    this.valueBudget = serverValueBudget(parsed.valueBudget);
    this.maxValueBytes = parsed.maxValueBytes;
    this.decodedValues = parsed.decodedValues;
    this.#instanceId = parsed.instanceId;
    this.#clock = parsed.clock ?? systemClock;
    this.#onError = parsed.onError;
    const { store, taskStore } = parsed;
    if (taskStore === undefined) {
      this.store = store ?? new MemoryStore();
      // The in-memory task store lives in this process: the cache's clock may serve as its clock.
      this.taskStore = MemoryTaskStore.over(this.store, { now: () => this.now() });
    } else {
      const paired = taskStore.valueStore;
      if (paired !== undefined && store !== undefined && paired !== store) {
        throw ValidationError.single(
          "RefCache options",
          "taskStore writes results to another value store than store, so every result would be lost: build " +
            "the pair together (createMemoryStores(), new MemoryTaskStore({ store }), createRedisStores()) and " +
            "pass both, or pass only the taskStore",
          "custom",
        );
      }
      const chosen = store ?? paired;
      if (chosen === undefined) {
        throw ValidationError.single(
          "RefCache options",
          "a taskStore needs the value store it writes results to: pass both (e.g. from createRedisStores)",
          "custom",
        );
      }
      this.store = chosen;
      this.taskStore = taskStore;
    }
    this.ownsStores = store === undefined && taskStore === undefined;
  }

  /**
   * Drawn on first use, not in the constructor: Workers refuse random numbers at module scope, where a
   * cache is typically made.
   */
  get instanceId(): string {
    this.#randomInstanceId ??= this.#instanceId ?? randomHex(8);
    return this.#randomInstanceId;
  }

  /** The clock's time, checked: a clock that throws or answers anything but epoch ms is a typed error. */
  now(): number {
    return checkedNow(this.#clock, clockFailed, clockInvalid);
  }

  /**
   * Whether a value entry the store handed back is live: no `expiresAt`, or a store that expires entries on
   * its own clock (`Store.nativeExpiry`: what it hands back is live, whatever this instance's clock says),
   * or an `expiresAt` not at or before this instance's now (one that is no time, on an entry another writer
   * damaged, leaves it live, so `has` and `delete` still reach it).
   */
  isLive(entry: { expiresAt?: number | undefined }): boolean {
    const { expiresAt } = entry;
    return expiresAt === undefined || this.store.nativeExpiry === true || !(expiresAt <= this.now());
  }

  /** Tells the `onError` hook of a failure no caller awaits; the hook's own failure is ignored. */
  reportError(error: RefCacheError, context: BackgroundErrorContext): void {
    if (this.#onError === undefined) return;
    try {
      this.#onError(error, context);
    } catch {
      // A faulty hook must not break the background work that reports to it.
    }
  }

  assertOpen(): void {
    if (this.closed) throw new CacheClosedError(this.name);
  }

  /** Keeps `work` among the calls `close()` waits for. Only for work that never waits on user code. */
  track<T>(work: Promise<T>): Promise<T> {
    // A count, not a set of promises: this runs for every store call, several times per task operation.
    this.#inflight++;
    work.then(this.#settled, this.#settled);
    return work;
  }

  /**
   * Resolves once every tracked call has settled, those started meanwhile included: a caller's
   * continuation that starts another call runs before this one looks at the count again.
   */
  async drain(): Promise<void> {
    while (this.#inflight > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  /**
   * Runs a store call, tracked, turning its failures into typed errors; with `reply`, a reply `reply[0]`
   * refuses is a STORE_ERROR naming the method `reply[1]` (see store-replies.ts).
   */
  storeCall<T>(
    refId: string | undefined,
    call: () => Promise<T>,
    reply?: readonly [(v: unknown) => boolean, string],
  ): Promise<T> {
    const work = promiseFrom(call);
    // One reaction rather than an async wrapper: this runs several times in every task operation.
    return this.track(
      work.then(
        reply === undefined ? undefined : (value) => checkReply(value, reply[0], reply[1], refId),
        (error: unknown) => {
          if (RefCacheError.isInstance(error)) throw error;
          const where = refId === undefined ? "" : ` for "${refId}"`;
          throw new StoreError(`Store failed${where}: ${errorMessage(error)}`, refId, error);
        },
      ),
    );
  }
}
