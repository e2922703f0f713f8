import { errorMessage, RefCache, runWithTimeoutFallback, type TaskInfo } from "@mcp-refcache/core";
import { sleep, slowReport } from "./tools.js";

export interface ScenarioOptions {
  /** Where the transcript goes. */
  log: (line: string) => void;
  /** Length of one batch of the simulated slow tool (ms). */
  stepMs?: number;
  /** How often the client polls a pending reference (ms). */
  pollMs?: number;
}

export interface ScenarioOutcome {
  name: string;
  /** What the caller got at once: the value, a pending reference, or the tool's error. */
  immediate: "complete" | "pending" | "failed";
  /** Final task status. */
  status: TaskInfo["status"];
  /** Statuses and progress the polling client saw, in order, without repeats. */
  observed: string[];
  value?: unknown;
  error?: string;
}

function describeTask(info: TaskInfo): string {
  const p = info.progress;
  if (p === undefined) return info.status;
  const pct = p.percentage === undefined ? "" : ` ${p.percentage}%`;
  return `${info.status}${pct}${p.message === undefined ? "" : ` (${p.message})`}`;
}

/**
 * Plays a client against a cache of slow tools: one that answers within its timeout, one that falls
 * back to a pending reference and is polled to completion, one that fails in the background and one
 * the client cancels. Finally cleans up the finished tasks.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioOutcome[]> {
  const { log } = options;
  const stepMs = options.stepMs ?? 150;
  const pollMs = options.pollMs ?? 200;
  const timeoutMs = stepMs * 2;
  const cache = new RefCache({ name: "harness", taskRetentionMs: 60_000 });
  const outcomes: ScenarioOutcome[] = [];

  async function call(
    name: string,
    work: Parameters<typeof runWithTimeoutFallback>[1],
    onPending?: (refId: string, polls: number) => Promise<void>,
  ): Promise<void> {
    log(`\n▶ ${name} (timeout ${timeoutMs} ms)`);
    let first: Awaited<ReturnType<typeof runWithTimeoutFallback>>;
    try {
      first = await runWithTimeoutFallback(cache, work, { timeoutMs });
    } catch (error) {
      const message = errorMessage(error);
      log(`  failed before the timeout: ${message}`);
      outcomes.push({ name, immediate: "failed", status: "failed", observed: ["failed"], error: message });
      return;
    }
    if (first.status === "complete") {
      log(`  answered at once under ${first.refId}: ${JSON.stringify(first.value)}`);
      outcomes.push({ name, immediate: "complete", status: "complete", observed: ["complete"], value: first.value });
      return;
    }
    log(`  timed out → pending reference ${first.refId} (${describeTask(first.task)})`);
    const observed: string[] = [];
    let info: TaskInfo | undefined = first.task;
    for (let polls = 1; info !== undefined && ["pending", "processing"].includes(info.status); polls++) {
      const seen = describeTask(info);
      if (observed.at(-1) !== seen) {
        observed.push(seen);
        log(`  poll ${polls}: ${seen}`);
      }
      await onPending?.(first.refId, polls);
      await sleep(pollMs);
      info = cache.getTaskStatus(first.refId);
    }
    if (info === undefined) throw new Error(`task ${first.refId} vanished while it ran`);
    observed.push(info.status);
    const outcome: ScenarioOutcome = { name, immediate: "pending", status: info.status, observed };
    if (info.status === "complete") {
      outcome.value = await cache.get(first.refId);
      log(`  complete: fetched ${first.refId} → ${JSON.stringify(outcome.value)}`);
    } else {
      if (info.error !== undefined) outcome.error = info.error;
      log(`  ${info.status}${info.error === undefined ? "" : `: ${info.error}`}`);
    }
    outcomes.push(outcome);
  }

  log(`mcp-refcache harness: cache "${cache.name}", in-memory store`);
  await call("quick lookup", slowReport({ steps: 1, stepMs: stepMs / 3 }));
  await call("invalid query", () => {
    throw new Error("query must not be empty");
  });
  await call("long report", slowReport({ steps: 5, stepMs }));
  await call("flaky export", slowReport({ steps: 5, stepMs, failAt: 3 }));
  await call("abandoned crawl", slowReport({ steps: 20, stepMs }), async (refId, polls) => {
    if (polls === 2) {
      log(`  client cancels ${refId}`);
      await cache.cancelTask(refId, "client cancelled");
    }
  });

  const removed = await cache.cleanupTasks(0);
  log(`\n✔ cleaned up ${removed} finished tasks; ${cache.listTasks().length} left`);
  await cache.close();
  return outcomes;
}
