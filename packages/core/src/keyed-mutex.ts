/**
 * Serialises async work per key: calls for one key run one at a time, in call order, while calls
 * for different keys run freely. A read-modify-write that awaits in the middle cannot lose an update.
 */
export class KeyedMutex {
  /** Held keys, each with the calls waiting for it in call order (`null` while none waits). */
  readonly #held = new Map<string, (() => void)[] | null>();

  /** Number of keys with work queued or running (for tests and diagnostics). */
  get size(): number {
    return this.#held.size;
  }

  /** Whether work for `key` is queued or running. */
  holds(key: string): boolean {
    return this.#held.has(key);
  }

  async run<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.#held.has(key)) {
      // Wait for our turn: the call before hands the key straight to us.
      await new Promise<void>((resolve) => {
        const waiting = this.#held.get(key);
        if (waiting == null) this.#held.set(key, [resolve]);
        else waiting.push(resolve);
      });
    } else {
      this.#held.set(key, null);
    }
    try {
      return await fn();
    } finally {
      const next = this.#held.get(key)?.shift();
      if (next === undefined) this.#held.delete(key);
      else next();
    }
  }
}
