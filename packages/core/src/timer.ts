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
