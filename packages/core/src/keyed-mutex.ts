/**
 * Serialises async work per key: calls for one key run one at a time, in call order, while calls
 * for different keys run freely. A read-modify-write that awaits in the middle cannot lose an update.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Number of keys with work queued or running (for tests and diagnostics). */
  get size(): number {
    return this.#tails.size;
  }

  async run<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? done : previous.then(() => done);
    this.#tails.set(key, tail);
    if (previous !== undefined) await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
