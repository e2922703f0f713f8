import type { TaskContext } from "@mcp-refcache/core";

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A stand-in for a slow tool: works through `steps` batches, reporting progress after each. */
export function slowReport(options: { steps: number; stepMs: number; failAt?: number }) {
  return async ({ signal, reportProgress }: TaskContext): Promise<{ rows: number[]; checksum: number }> => {
    const rows: number[] = [];
    await reportProgress({ current: 0, total: options.steps, message: "starting" });
    for (let step = 1; step <= options.steps; step++) {
      await sleep(options.stepMs, signal);
      if (step === options.failAt) throw new Error(`upstream timed out at batch ${step}`);
      rows.push(step * step);
      await reportProgress({ current: step, total: options.steps, message: `batch ${step} of ${options.steps}` });
    }
    return { rows, checksum: rows.reduce((a, b) => a + b, 0) };
  };
}
