/**
 * The local view of tasks for stores that cannot be read synchronously (`getTaskStatus`, `listTasks` on
 * Redis): what this instance wrote, or read or was told of for tasks it already holds. Bounded: at most
 * `MAX_ENTRIES` tasks (the least recently changed leave first), finished tasks leave once the retention
 * has passed since they were seen finished (every instance's clean-up removes them by then), and tasks a
 * store says were removed leave at once. Newer versions replace older ones, never the other way round.
 */
import { isTerminalStatus, type TaskInfo } from "./models.js";
import { monotonicNow } from "./monotonic.js";

/** Most tasks the view holds; about half a kilobyte each. */
export const MAX_ENTRIES = 10_000;

interface Entry {
  info: TaskInfo;
  version: number;
  /** Whether `info` is the liveness rule's reading of a lost task (see liveness.ts). */
  lost: boolean;
  /** Monotonic time (ms) at which this instance saw the task finished; `undefined` while unfinished. */
  finishedAt: number | undefined;
}

export class LocalView {
  readonly #entries = new Map<string, Entry>();
  readonly #retentionMs: number;
  readonly #maxEntries: number;

  constructor(retentionMs: number, maxEntries = MAX_ENTRIES) {
    this.#retentionMs = retentionMs;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Records what this instance wrote of a task: added if new, replacing an older version of its run or
   * another run (a registration of the id replaces what the view held of an earlier run).
   */
  put(info: TaskInfo, version: number, lost: boolean): void {
    const old = this.#entries.get(info.refId);
    if (old !== undefined && !this.#newer(old, info, version, lost, true)) return;
    this.#set(info, version, lost, old);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /**
   * Updates a task the view already holds (read, or a change from elsewhere, which may arrive late); others
   * are not added. Another run replaces the held one only when it is a later run of the id (`retryCount`).
   */
  update(info: TaskInfo, version: number, lost: boolean): void {
    const old = this.#entries.get(info.refId);
    if (old !== undefined && this.#newer(old, info, version, lost, false)) this.#set(info, version, lost, old);
  }

  get(refId: string): TaskInfo | undefined {
    const entry = this.#entries.get(refId);
    if (entry === undefined) return undefined;
    if (this.#expired(entry, monotonicNow())) {
      this.#entries.delete(refId);
      return undefined;
    }
    return entry.info;
  }

  /** Every task held, those past retention dropped on the way. */
  values(): TaskInfo[] {
    const now = monotonicNow();
    const out: TaskInfo[] = [];
    for (const [refId, entry] of this.#entries) {
      if (this.#expired(entry, now)) this.#entries.delete(refId);
      else out.push(entry.info);
    }
    return out;
  }

  /**
   * Whether the view holds a newer state of `refId` than `version` of its run `runId` (number `retryCount`):
   * a later version of that run, or a later run of the id.
   */
  holdsNewer(refId: string, runId: string, retryCount: number, version: number): boolean {
    const entry = this.#entries.get(refId);
    if (entry === undefined) return false;
    return entry.info.runId === runId ? entry.version > version : entry.info.retryCount > retryCount;
  }

  forget(refIds: readonly string[]): void {
    for (const id of refIds) this.#entries.delete(id);
  }

  /**
   * Whether `info` at `version` is newer than `old`. Within one run: a newer version, or the same version read
   * as lost (the rule's reading wins over the stored one). Versions start again at 1 with each run, so
   * another run is newer when it is a later run of the id (`retryCount`), or when this instance wrote it
   * (`written`: it registered the id anew, or wrote the run the store holds now).
   */
  #newer(old: Entry, info: TaskInfo, version: number, lost: boolean, written: boolean): boolean {
    if (info.runId !== old.info.runId) return written || info.retryCount > old.info.retryCount;
    return version > old.version || (version === old.version && (lost || !old.lost));
  }

  #set(info: TaskInfo, version: number, lost: boolean, old: Entry | undefined): void {
    const finished = isTerminalStatus(info.status);
    const finishedAt = finished ? (old?.finishedAt ?? monotonicNow()) : undefined;
    // Deleted first, so the map's order stays the order of last change (the oldest leave first).
    if (old !== undefined) this.#entries.delete(info.refId);
    this.#entries.set(info.refId, { info, version, lost, finishedAt });
  }

  #expired(entry: Entry, now: number): boolean {
    return entry.finishedAt !== undefined && now - entry.finishedAt > this.#retentionMs;
  }
}
