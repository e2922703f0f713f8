/**
 * Changes pushed from the shard objects: one WebSocket per shard, opened when the first listener
 * subscribes and closed with the last. A cancel written from any Worker reaches a runner here as soon as
 * the shard broadcasts it (a few ms), instead of on the runner's next lease renewal.
 *
 * On Workers, a socket belongs to the request that opened it and closes when that request's work
 * (`waitUntil` included) ends: subscribe from the request that runs the work, as a RefCache does when it
 * starts a run. Writes through the same store wait until its sockets are open, and a shard replays the
 * changes of the last moments to a socket that just opened, so nothing written meanwhile is missed.
 * The ids a clean-up removed come the same way, for `SubscribeOptions.onRemoved`.
 */
import type { SubscribeOptions, TaskChange, TaskChangeListener } from "@mcp-refcache/core/store";
import { REPLAY_WINDOW_MS } from "./refcache-shard.js";
import type { ShardRouter } from "./shard-router.js";
import type { WireChange } from "./shard-wire.js";

/** Least time between two openings of one shard's socket. */
const RECONNECT_MIN_MS = 1_000;

export class ChangeFeed {
  readonly #router: ShardRouter;
  readonly #listeners = new Map<TaskChangeListener, SubscribeOptions>();
  #sockets: WebSocket[] = [];
  /** Settles when every socket is open (or failed to open). */
  #opening: Promise<void> | undefined;
  /** Counts closes: a socket that opens after the feed was closed (and perhaps opened again) is dropped. */
  #generation = 0;

  constructor(router: ShardRouter) {
    this.#router = router;
  }

  /** Resolves once the sockets a subscribe started are open, so a write after it is seen by them. */
  ready(): Promise<void> | undefined {
    return this.#opening;
  }

  subscribe(listener: TaskChangeListener, options: SubscribeOptions = {}): () => void {
    this.#listeners.set(listener, { ...options });
    if (this.#opening === undefined) this.#opening = this.#open();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
    this.#generation++;
    const sockets = this.#sockets;
    this.#sockets = [];
    this.#opening = undefined;
    for (const socket of sockets) {
      try {
        socket.close(1000, "unsubscribed");
      } catch {
        // already closed
      }
    }
  }

  async #open(): Promise<void> {
    const since = Date.now() - REPLAY_WINDOW_MS;
    const generation = this.#generation;
    await Promise.all(this.#router.all().map((_, index) => this.#connect(index, since, generation)));
  }

  /**
   * Opens the socket of shard `index`, asking for the changes since `since`. A socket that closes while
   * listeners remain (the shard restarted, was moved or deployed) is opened again, replaying what it
   * missed meanwhile; one that cannot be opened leaves that shard's cancels to the runner's lease renewals.
   */
  async #connect(index: number, since: number, generation: number): Promise<void> {
    let socket: WebSocket | null;
    try {
      const response = await this.#router.shard(index).fetch(`https://shard/changes?since=${since}`, {
        headers: { upgrade: "websocket" },
      });
      socket = response.webSocket;
    } catch {
      return;
    }
    if (socket === null) return;
    socket.accept();
    if (this.#listeners.size === 0 || generation !== this.#generation) {
      socket.close(1000, "unsubscribed");
      return;
    }
    const opened = socket;
    const openedAt = Date.now();
    this.#sockets.push(opened);
    let lastSeen = Date.now();
    opened.addEventListener("message", (event) => {
      lastSeen = Date.now();
      this.#deliver(event.data);
    });
    const reopen = () => {
      const at = this.#sockets.indexOf(opened);
      if (at === -1) return; // closed on purpose
      this.#sockets.splice(at, 1);
      if (this.#listeners.size === 0) return;
      // A socket that closes as soon as it opened is not opened again at once, over and over.
      const wait = Math.max(0, openedAt + RECONNECT_MIN_MS - Date.now());
      setTimeout(() => void this.#connect(index, lastSeen - REPLAY_WINDOW_MS, generation), wait);
    };
    opened.addEventListener("close", reopen);
    opened.addEventListener("error", reopen);
  }

  #deliver(data: unknown): void {
    if (typeof data !== "string") return;
    let change: WireChange;
    try {
      change = JSON.parse(data) as WireChange;
    } catch {
      return;
    }
    if ("removed" in change) {
      if (!Array.isArray(change.removed)) return;
      for (const { onRemoved } of this.#listeners.values()) {
        try {
          onRemoved?.([...change.removed]);
        } catch {
          // One subscriber's fault must not starve the others.
        }
      }
      return;
    }
    for (const [listener, { exceptOrigin }] of this.#listeners) {
      if (change.origin !== undefined && change.origin === exceptOrigin) continue;
      const copy: TaskChange =
        change.origin === undefined
          ? { task: structuredClone(change.task) }
          : { task: structuredClone(change.task), origin: change.origin };
      try {
        listener(copy);
      } catch {
        // One subscriber's fault must not starve the others.
      }
    }
  }
}
