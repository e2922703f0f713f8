/**
 * The background side of a RefCache: the periodic clean-up (finished tasks past retention, expired values),
 * the lease watch (lost workers' tasks failed within about a lease, so change listeners hear of them), the
 * lease heartbeat of runs in this process, and the store subscription that brings other instances' changes
 * and removals. Each is lazy and stoppable, never keeps a process alive, and holds the cache
 * only weakly, so a cache dropped without `close()` can still be garbage-collected.
 */
import type { CacheContext } from "./cache-context.js";
import { RefCacheError } from "./errors.js";
import { isIdList } from "./store-replies.js";
import { isThenable } from "./task-input.js";
import type { TaskRegistry } from "./task-registry.js";
import { type IntervalHandle, startBackgroundInterval, yieldToEventLoop } from "./timer.js";
import { type Deref, weakRef } from "./weak.js";

const REMOVED_REPLY = [isIdList, "removeFinished"] as const;

/** Tasks removed (or leases checked) per store call; the loop yields between chunks. */
const CLEANUP_CHUNK = 500;

/**
 * Stops a cache's background work once the cache itself is garbage-collected. Made on first use: some
 * runtimes (workerd before compatibility date 2025-05-05) have no FinalizationRegistry, and there the
 * timers' weak references alone let a dropped cache go.
 */
let collected: FinalizationRegistry<() => void> | null | undefined;
function finalizer(): FinalizationRegistry<() => void> | null {
  collected ??= typeof FinalizationRegistry === "function" ? new FinalizationRegistry((stop) => stop()) : null;
  return collected;
}

export class Maintenance {
  readonly #ctx: CacheContext;
  readonly #registry: Deref<TaskRegistry>;
  #cleanupLoop: IntervalHandle | undefined;
  #leaseWatch: IntervalHandle | undefined;
  #heartbeat: IntervalHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #cleaning = false;

  constructor(context: CacheContext, registry: TaskRegistry, owner: object) {
    this.#ctx = context;
    this.#registry = weakRef(registry);
    finalizer()?.register(owner, () => this.stop(), this);
  }

  get cleanupRunning(): boolean {
    return this.#cleanupLoop !== undefined;
  }

  /** Starts what a new task or value needs: clean-up, and for a run here the heartbeat and subscription. */
  ensureRunning(withRuns: boolean): void {
    if (this.#ctx.closed) return;
    this.#cleanupLoop ??= this.#every(this.#ctx.taskCleanupIntervalMs, () => this.#tick());
    this.#watchLeases();
    if (withRuns) {
      // It stops itself on a beat with no run here, rather than when the last run ends: a process that
      // runs one short task after another would otherwise start and stop a timer for each.
      this.#heartbeat ??= this.#every(Math.max(1, Math.floor(this.#ctx.taskLeaseMs / 3)), (registry) => {
        if (registry.runs.size === 0) this.stopHeartbeat();
        else void registry.runs.renewLeases();
      });
      this.subscribe();
    }
  }

  /** Listens to the store for other instances' changes and removals (once), and watches leases for listeners. */
  subscribe(): void {
    const { taskStore } = this.#ctx;
    this.#watchLeases();
    if (this.#unsubscribe !== undefined || taskStore.subscribe === undefined || this.#ctx.closed) return;
    const registry = this.#registry;
    this.#unsubscribe = taskStore.subscribe((change) => registry.deref()?.remoteChange(change), {
      exceptOrigin: this.#ctx.instanceId,
      onRemoved: (refIds) => registry.deref()?.forget(refIds),
    });
  }

  /** Fails lost workers' tasks every lease (once started), so no view, listener included, waits on clean-up. */
  #watchLeases(): void {
    if (this.#ctx.closed) return;
    this.#leaseWatch ??= this.#every(this.#ctx.taskLeaseMs, (registry) => {
      registry.reapExpired(CLEANUP_CHUNK).catch((error: unknown) => this.#report(error, "lease watch"));
    });
  }

  /**
   * Removes finished tasks that finished at least `olderThanMs` ago (on the store's clock), a chunk at a
   * time, letting other work run between chunks; returns how many. Stops at the chunk in flight when the
   * cache closes (close() waits for that one, and no store call follows it).
   */
  async removeFinished(olderThanMs: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const ids = await this.#ctx.storeCall(
        undefined,
        () => this.#ctx.taskStore.removeFinished(olderThanMs, CLEANUP_CHUNK),
        REMOVED_REPLY,
      );
      this.#registry.deref()?.forget(ids);
      removed += ids.length;
      if (ids.length < CLEANUP_CHUNK) return removed;
      await yieldToEventLoop();
      if (this.#ctx.closed) return removed;
    }
  }

  /** Stops renewing leases (no run left here); the next run starts it again. */
  stopHeartbeat(): void {
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
  }

  stop(): void {
    this.#cleanupLoop?.stop();
    this.#leaseWatch?.stop();
    this.#heartbeat?.stop();
    this.#unsubscribe?.();
    this.#cleanupLoop = undefined;
    this.#leaseWatch = undefined;
    this.#heartbeat = undefined;
    this.#unsubscribe = undefined;
    finalizer()?.unregister(this);
  }

  #every(ms: number, fn: (registry: TaskRegistry) => void): IntervalHandle {
    const registry = this.#registry;
    const handle = startBackgroundInterval(() => {
      const target = registry.deref();
      if (target === undefined) handle.stop();
      else fn(target);
    }, ms);
    return handle;
  }

  async #tick(): Promise<void> {
    if (this.#cleaning || this.#ctx.closed) return;
    this.#cleaning = true;
    try {
      await this.#runCleanup();
    } catch (error) {
      // A failing store or clock is retried on the next tick.
      this.#report(error, "clean-up");
    } finally {
      this.#cleaning = false;
    }
  }

  async #runCleanup(): Promise<void> {
    // Expired values first: a memory store that keeps results beside their tasks then has none to set
    // apart for the finished tasks removed next (kept-results.ts).
    await this.#prune(this.#ctx.now());
    if (this.#ctx.closed) return;
    await this.removeFinished(this.#ctx.taskRetentionMs);
    if (this.#ctx.closed) return;
    await this.#registry.deref()?.reapExpired(CLEANUP_CHUNK);
  }

  #report(error: unknown, operation: string): void {
    if (RefCacheError.isInstance(error)) this.#ctx.reportError(error, { operation });
  }

  /**
   * Runs the value store's prune, whatever it returns or throws; a prune in flight is one of the store calls
   * `close()` waits for.
   */
  async #prune(now: number): Promise<void> {
    const { store } = this.#ctx;
    if (typeof store.prune !== "function") return;
    try {
      const outcome: unknown = store.prune(now);
      if (isThenable(outcome)) await this.#ctx.track(Promise.resolve(outcome));
    } catch {
      // Retried on the next tick; reads hide expired values meanwhile.
    }
  }
}
