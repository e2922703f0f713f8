/**
 * The tools the conformance suite's server scenarios call, by name and with the shapes each scenario's
 * source asks for (`@modelcontextprotocol/conformance` 0.2.0-alpha.12, `src/scenarios/server/tools.ts` and
 * `tasks/*.ts`). Written once as plain handlers; each SDK line registers them through its adapter.
 */
import * as z from "zod";

/** What an adapter hands a handler that this fixture uses: both adapters give these two. */
export interface FixtureContext {
  signal: AbortSignal;
  reportProgress(update: { current: number; total?: number; message?: string }): Promise<unknown>;
}

/** Waits `ms`, or rejects as soon as `signal` aborts (a cancelled task stops at once). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export const NoInput = z.object({});
export const GreetInput = z.object({ name: z.string() });
export const SlowComputeInput = z.object({
  seconds: z.number().min(0).max(600),
  label: z.string().optional(),
});

export const TEXTS = {
  simple: "This is a simple text response for testing.",
  toolError: "This tool intentionally returns an error for testing",
  failingJob: "failing_job: the job ran and reported a failure",
  protocolError: "protocol_error_job: the server failed while running the job",
} as const;

/** `tools-call-simple-text`: one text block with the expected sentence. */
export const simpleText = async () => TEXTS.simple;

/** `tools-call-error`: the tool runs and reports an error, which reaches the client as `isError: true`. */
export const errorHandling = async (): Promise<never> => {
  throw new Error(TEXTS.toolError);
};

/** `tools-call-with-progress`: progress 0, 50 and 100 of 100, a little apart. */
export async function toolWithProgress(_args: unknown, { signal, reportProgress }: FixtureContext) {
  for (const current of [0, 50, 100]) {
    await reportProgress({ current, total: 100 });
    if (current < 100) await sleep(50, signal);
  }
  return "Progress reported: 0, 50 and 100 of 100.";
}

/** The three messages `tools-call-with-logging` wants, about 50 ms apart, through the caller's `log`. */
export async function toolWithLogging(log: (message: string) => Promise<unknown>, signal: AbortSignal) {
  await log("Tool execution started");
  await sleep(50, signal);
  await log("Tool processing data");
  await sleep(50, signal);
  await log("Tool execution completed");
  return "Logged three messages.";
}

/** `tasks-*`: a sync-only tool. */
export const greet = async ({ name }: z.output<typeof GreetInput>) => `Hello, ${name}!`;

/** `tasks-*`: sleeps `seconds` (stopping at once when cancelled), then answers. */
export async function slowCompute({ seconds, label }: z.output<typeof SlowComputeInput>, { signal }: FixtureContext) {
  await sleep(seconds * 1000, signal);
  return { label: label ?? null, seconds, result: `computed after ${seconds} s` };
}

/** `tasks-lifecycle`: a tool error after about a second, which the 2026 extension reports as `completed` + `isError`. */
export async function failingJob(_args: unknown, { signal }: FixtureContext): Promise<never> {
  await sleep(1_000, signal);
  throw new Error(TEXTS.failingJob);
}

/** Descriptions shown in `tools/list`. */
export const DESCRIPTIONS = {
  test_simple_text: "Returns a simple text response.",
  test_error_handling: "Always answers with a tool error.",
  test_tool_with_progress: "Reports progress 0, 50 and 100 of 100.",
  test_tool_with_logging: "Sends three info log messages while it runs.",
  greet: "Greets `name` at once.",
  slow_compute: "Sleeps `seconds` seconds, then answers; stops at once when cancelled.",
  failing_job: "Runs about a second, then reports a tool error. Requires a task on the 2026 Tasks extension.",
  protocol_error_job: "Fails with a JSON-RPC internal error (a protocol-level failure, not a tool error).",
} as const;
