/**
 * Running a task's function inside a Durable Object instead of a Worker's `waitUntil`, which keeps work
 * alive only about 30 s past the response. Subclass `TaskRunnerObject`, name the functions it may run,
 * export and bind it; `startInObject` then starts a named function under a ref id in the object that id
 * picks. The object runs the work with a RefCache over the shard stores, so the task is followed,
 * cancelled and read from any Worker exactly like one run elsewhere.
 *
 * While a run is in flight the object re-arms its alarm every few seconds: an object with events does not
 * count as idle. If the platform drops it anyway (a deploy, a crash, a limit), its lease stops being
 * renewed and the shard's alarm ends the task `failed` with "worker lost" — never left `processing`.
 */
import { DurableObject } from "cloudflare:workers";
import {
  type ErrorCode,
  OwnerSchema,
  RefCache,
  RefCacheError,
  type RefCacheOptions,
  RefIdSchema,
  type TaskContext,
  type TaskInfo,
  ValidationError,
} from "@mcp-refcache/core";
import * as z from "zod";
import { createDurableObjectStores, type DurableObjectStoresOptions } from "./create-durable-object-stores.js";

/** A function the runner object may run: its JSON input and the task's context. */
export type RunnerFunction = (input: unknown, context: TaskContext) => unknown;

/** How often the object wakes itself while runs are in flight. */
export const RUNNER_KEEPALIVE_MS = 5_000;

export const StartInObjectSchema = z.strictObject({
  /** The ref id the task runs under (also names the object, so one id always lands on one object). */
  refId: RefIdSchema,
  /** Which of the object's functions to run. */
  name: z.string().min(1).max(128),
  /** The function's input: JSON data, structured-cloned to the object. */
  input: z.unknown().optional(),
  owner: OwnerSchema.optional(),
  /** Result TTL in ms (`null`: keep); else the cache's default. */
  ttlMs: z.number().int().positive().nullable().optional(),
});
export type StartInObject = z.input<typeof StartInObjectSchema>;

/** A Worker's env, of any type (`wrangler types` writes an `interface Env` without an index signature). */
type RunnerEnv = object;

/** What `start` answers: errors travel as data, since RPC keeps only an Error's message. */
export type StartOutcome = { ok: true; task: TaskInfo } | { ok: false; code: ErrorCode | "INTERNAL"; message: string };

export abstract class TaskRunnerObject<Env extends RunnerEnv = RunnerEnv> extends DurableObject<Env> {
  /** The functions this object runs, by name. */
  protected abstract readonly functions: Readonly<Record<string, RunnerFunction>>;
  /** Where the tasks live: the same options every Worker passes to `createDurableObjectStores`. */
  protected storesOptions(): DurableObjectStoresOptions {
    return {};
  }
  /** The RefCache's own options (lease, TTLs…), without the stores. */
  protected cacheOptions(): Omit<RefCacheOptions, "store" | "taskStore"> {
    return {};
  }

  #cache: RefCache | undefined;
  #inFlight = 0;

  /** The RefCache this object runs its tasks with (over the shard stores), made on first use. */
  protected get cache(): RefCache {
    this.#cache ??= new RefCache({
      ...this.cacheOptions(),
      ...createDurableObjectStores(this.env, this.storesOptions()),
    });
    return this.#cache;
  }

  /** Starts `request.name` under `request.refId` here; answers once the task is registered. */
  async start(request: StartInObject): Promise<StartOutcome> {
    try {
      return { ok: true, task: await this.#start(request) };
    } catch (error) {
      if (RefCacheError.isInstance(error)) return { ok: false, code: error.code, message: error.message };
      return { ok: false, code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
    }
  }

  async #start(request: StartInObject): Promise<TaskInfo> {
    const parsed = StartInObjectSchema.safeParse(request);
    if (!parsed.success) throw new ValidationError("start request", parsed.error.issues);
    const { refId, name, input, owner, ttlMs } = parsed.data;
    const fn = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (fn === undefined)
      throw ValidationError.single("name", `this object runs no function named "${name}"`, "custom");
    const cache = this.cache;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const info = await cache.registerTask(
      refId,
      async (context) => {
        try {
          return await fn(input, context);
        } finally {
          settle();
        }
      },
      { ...(owner === undefined ? {} : { owner }), ...(ttlMs === undefined ? {} : { ttlMs }) },
    );
    this.#inFlight++;
    void this.ctx.storage.setAlarm(Date.now() + RUNNER_KEEPALIVE_MS);
    // The result is written after the function returns: count the run until the task has finished.
    void settled
      .then(() => cache.waitForTask(refId, { timeoutMs: 30_000 }))
      .finally(() => {
        this.#inFlight--;
      });
    return info;
  }

  /** Keeps the object awake while runs are in flight. */
  override async alarm(): Promise<void> {
    if (this.#inFlight > 0) await this.ctx.storage.setAlarm(Date.now() + RUNNER_KEEPALIVE_MS);
  }
}

/**
 * Starts a named function of a `TaskRunnerObject` under `request.refId`, in the object that id names.
 * Answers the registered task (or throws the RefCacheError the object threw, e.g. TASK_ALREADY_ACTIVE).
 */
// biome-ignore lint/suspicious/noExplicitAny: any subclass, whatever its env
export async function startInObject<Runner extends TaskRunnerObject<any>>(
  namespace: DurableObjectNamespace<Runner>,
  request: StartInObject,
): Promise<TaskInfo> {
  const parsed = StartInObjectSchema.safeParse(request);
  if (!parsed.success) throw new ValidationError("start request", parsed.error.issues);
  const stub = namespace.get(namespace.idFromName(parsed.data.refId));
  const outcome = (await stub.start(parsed.data)) as StartOutcome;
  if (outcome.ok) return outcome.task;
  if (outcome.code === "INTERNAL") throw new Error(outcome.message);
  throw new RefCacheError(outcome.code, outcome.message, { refId: parsed.data.refId });
}
