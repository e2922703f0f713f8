/**
 * Task changes and removals from every instance, through Redis pub/sub: the scripts publish each written
 * task (and the ids of each batch of removed tasks) on the prefix's channel, and one subscriber connection
 * per store fans the messages out to local listeners. A change lost while disconnected is caught up by the
 * runner's next lease renewal or store write (core's fallback); a lost removal by core's bounded local view.
 *
 * On the cluster layout each bucket publishes on its own shard channel (SPUBLISH): the subscriber, an
 * ioredis `Cluster` with sharded subscribers, holds one SSUBSCRIBE per bucket on the master that owns the
 * bucket's slot, and ioredis moves it when the slot moves (failover, resharding).
 */
import type { Cluster, Redis } from "ioredis";
import type { StoredTask, TaskChange, TaskChangeListener } from "./contract.js";

/** Ids of tasks a clean-up removed. */
export interface TaskRemoval {
  removed: string[];
}

/**
 * The message the scripts publish: the origin as JSON (a string or null), a newline, then the task JSON
 * (an object) or the removed ids (an array of strings).
 */
export function parseChange(message: string): TaskChange | TaskRemoval | undefined {
  const newline = message.indexOf("\n");
  if (newline < 0) return undefined;
  try {
    const origin: unknown = JSON.parse(message.slice(0, newline));
    const body: unknown = JSON.parse(message.slice(newline + 1));
    if (Array.isArray(body)) {
      return body.every((id) => typeof id === "string") ? { removed: body as string[] } : undefined;
    }
    if (typeof body !== "object" || body === null) return undefined;
    const task = body as StoredTask;
    return typeof origin === "string" ? { task, origin } : { task };
  } catch {
    return undefined;
  }
}

type RemovalListener = (refIds: readonly string[]) => void;

export class ChangeFeed {
  readonly #listeners = new Set<TaskChangeListener>();
  readonly #removalListeners = new Set<RemovalListener>();
  readonly #openSubscriber: () => Redis | Cluster;
  readonly #channels: ReadonlySet<string>;
  readonly #sharded: boolean;
  #subscriber: Redis | Cluster | undefined;
  #subscribed: Promise<void> | undefined;
  #pending = false;
  #closed = false;

  readonly #settleMs: number;

  /** `sharded`: the channels are shard channels (SSUBSCRIBE), one per cluster-layout bucket. */
  constructor(openSubscriber: () => Redis | Cluster, channels: readonly string[], settleMs: number, sharded = false) {
    this.#openSubscriber = openSubscriber;
    this.#channels = new Set(channels);
    this.#sharded = sharded;
    this.#settleMs = settleMs;
  }

  subscribe(listener: TaskChangeListener, onRemoved?: RemovalListener): () => void {
    if (this.#closed) return () => {};
    this.#listeners.add(listener);
    if (onRemoved !== undefined) this.#removalListeners.add(onRemoved);
    this.#connect();
    return () => {
      this.#listeners.delete(listener);
      if (onRemoved !== undefined) this.#removalListeners.delete(onRemoved);
    };
  }

  /** Resolves once the subscription is active (changes published from then on are delivered). */
  ready(): Promise<void> {
    return this.#subscribed ?? Promise.resolve();
  }

  /**
   * What a write awaits first: while a subscription is being set up, its confirmation, so a write issued
   * after `subscribe()` is always delivered to that subscriber. Costs nothing once subscribed.
   */
  settled(): Promise<void> | undefined {
    return this.#pending ? this.#subscribed : undefined;
  }

  #connect(): void {
    if (this.#subscriber !== undefined) return;
    const subscriber = this.#openSubscriber();
    this.#subscriber = subscriber;
    // Errors surface as reconnects; the runner's lease renewal covers messages missed meanwhile.
    subscriber.on("error", () => {});
    subscriber.on(this.#sharded ? "smessage" : "message", (channel: string, message: string) => {
      if (!this.#channels.has(channel)) return;
      const change = parseChange(message);
      if (change === undefined) return;
      if ("removed" in change) {
        for (const onRemoved of this.#removalListeners) {
          try {
            onRemoved([...change.removed]); // each its own list: one that changes it changes nobody else's
          } catch {
            // one failing listener must not starve the others
          }
        }
        return;
      }
      for (const listener of this.#listeners) {
        try {
          listener(change);
        } catch {
          // one failing listener must not starve the others
        }
      }
    });
    this.#pending = true;
    // Bounded: a subscription that cannot be confirmed (Redis away) must not hold writes back for long.
    // Shard channels one command each: a command's channels must share one slot.
    const confirmed = (
      this.#sharded
        ? Promise.all([...this.#channels].map((channel) => subscriber.ssubscribe(channel)))
        : subscriber.subscribe(...this.#channels)
    ).then(
      () => undefined,
      () => undefined,
    );
    this.#subscribed = Promise.race([confirmed, new Promise<void>((r) => setTimeout(r, this.#settleMs).unref())]).then(
      () => {
        this.#pending = false;
      },
    );
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#removalListeners.clear();
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }
}
