/**
 * Task changes from every instance, through Redis pub/sub: the scripts publish each written task on the
 * prefix's channel, and one subscriber connection per store fans the messages out to local listeners.
 * A message lost while disconnected is caught up by the runner's next lease renewal (core's fallback).
 */
import type { Redis } from "ioredis";
import type { StoredTask, TaskChange, TaskChangeListener } from "./contract.js";

/** The message the scripts publish: the origin as JSON (a string or null), a newline, the task JSON. */
export function parseChange(message: string): TaskChange | undefined {
  const newline = message.indexOf("\n");
  if (newline < 0) return undefined;
  try {
    const origin: unknown = JSON.parse(message.slice(0, newline));
    const task = JSON.parse(message.slice(newline + 1)) as StoredTask;
    return typeof origin === "string" ? { task, origin } : { task };
  } catch {
    return undefined;
  }
}

export class ChangeFeed {
  readonly #listeners = new Set<TaskChangeListener>();
  readonly #openSubscriber: () => Redis;
  readonly #channel: string;
  #subscriber: Redis | undefined;
  #subscribed: Promise<void> | undefined;
  #pending = false;
  #closed = false;

  readonly #settleMs: number;

  constructor(openSubscriber: () => Redis, channel: string, settleMs: number) {
    this.#openSubscriber = openSubscriber;
    this.#channel = channel;
    this.#settleMs = settleMs;
  }

  subscribe(listener: TaskChangeListener): () => void {
    if (this.#closed) return () => {};
    this.#listeners.add(listener);
    this.#connect();
    return () => {
      this.#listeners.delete(listener);
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
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      const change = parseChange(message);
      if (change === undefined) return;
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
    const confirmed = subscriber.subscribe(this.#channel).then(
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
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }
}
