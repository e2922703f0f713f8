/**
 * Changes pushed from the shard objects: one WebSocket per shard, opened when the first listener
 * subscribes and closed with the last. A cancel written from any Worker reaches a runner here as soon as
 * the shard broadcasts it (a few ms), instead of on the runner's next lease renewal.
 *
 * On Workers, a socket belongs to the request that opened it and closes when that request's work
 * (`waitUntil` included) ends: subscribe from the request that runs the work, as a RefCache does when it
 * starts a run. Writes through the same store wait until its sockets are open, and a shard replays the
 * changes of the last moments to a socket that just opened, so nothing written meanwhile is missed.
 */
import type { SubscribeOptions, TaskChange, TaskChangeListener } from "@mcp-refcache/core";
import { REPLAY_WINDOW_MS } from "./refcache-shard.js";
import type { ShardRouter } from "./shard-router.js";
import type { WireChange } from "./shard-wire.js";

export class ChangeFeed {
  readonly #router: ShardRouter;
  readonly #listeners = new Map<TaskChangeListener, string | undefined>();
  #sockets: WebSocket[] = [];
  /** Settles when every socket is open (or failed to open). */
  #opening: Promise<void> | undefined;

  constructor(router: ShardRouter) {
    this.#router = router;
  }

  /** Resolves once the sockets a subscribe started are open, so a write after it is seen by them. */
  ready(): Promise<void> | undefined {
    return this.#opening;
  }

  subscribe(listener: TaskChangeListener, options: SubscribeOptions = {}): () => void {
    this.#listeners.set(listener, options.exceptOrigin);
    if (this.#opening === undefined) this.#opening = this.#open();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
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
    const opened = await Promise.all(
      this.#router.all().map(async (shard) => {
        try {
          const response = await shard.fetch(`https://shard/changes?since=${since}`, {
            headers: { upgrade: "websocket" },
          });
          const socket = response.webSocket;
          if (socket === null) return undefined;
          socket.accept();
          socket.addEventListener("message", (event) => this.#deliver(event.data));
          return socket;
        } catch {
          // A shard that cannot be reached now: its cancels arrive on the runner's next lease renewal.
          return undefined;
        }
      }),
    );
    const sockets = opened.filter((socket): socket is WebSocket => socket !== undefined);
    if (this.#listeners.size === 0) {
      for (const socket of sockets) socket.close(1000, "unsubscribed");
      return;
    }
    this.#sockets.push(...sockets);
  }

  #deliver(data: unknown): void {
    if (typeof data !== "string") return;
    let change: WireChange;
    try {
      change = JSON.parse(data) as WireChange;
    } catch {
      return;
    }
    for (const [listener, exceptOrigin] of this.#listeners) {
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
