/** A handle for a repeating timer that can be stopped. */
export interface IntervalHandle {
  stop(): void;
}

interface MaybeUnref {
  unref?: () => unknown;
}

interface DenoLike {
  unrefTimer?: (id: number) => void;
}

/**
 * Starts `fn` every `ms` milliseconds with the runtime's own `setInterval`, and makes sure the timer
 * never keeps the process alive: `unref()` where the handle has it (Node, Bun), `Deno.unrefTimer`
 * on Deno; runtimes without either (browsers, Workers) do not wait on timers anyway.
 */
export function startBackgroundInterval(fn: () => void, ms: number): IntervalHandle {
  if (!(ms > 0 && ms <= 2_147_483_647)) throw new RangeError(`interval must be 1 to 2147483647 ms, got ${ms}`);
  const id = globalThis.setInterval(fn, ms) as unknown;
  const handle = id as MaybeUnref | null;
  if (handle !== null && typeof handle === "object" && typeof handle.unref === "function") {
    handle.unref();
  } else if (typeof id === "number") {
    const deno = (globalThis as { Deno?: DenoLike }).Deno;
    deno?.unrefTimer?.(id);
  }
  return {
    stop: () => globalThis.clearInterval(id as ReturnType<typeof setInterval>),
  };
}

/** Resolves on a later turn of the event loop, so a long job in chunks lets other work run between them. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
}
