/**
 * The demo work the harness serves, once over HTTP and once over MCP: a quick answer, a count that
 * reports progress at every step, one that fails midway, one that runs until it is cancelled, and a
 * table too big to answer whole (its answer is a preview and a reference to page through).
 */
import * as z from "zod";

/** What a piece of demo work is handed (the shape every adapter gives a handler). */
export interface WorkContext {
  signal: AbortSignal;
  reportProgress(update: { current?: number; total?: number; message?: string }): Promise<unknown>;
}

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

export const QuickInput = z.strictObject({ text: z.string().max(1_000).default("hello") });
export const SlowCountInput = z.strictObject({
  to: z.number().int().min(1).max(10_000).default(20),
  delayMs: z.number().int().min(0).max(60_000).default(250),
});
export const FailMidwayInput = z.strictObject({
  steps: z.number().int().min(2).max(1_000).default(6),
  delayMs: z.number().int().min(0).max(60_000).default(200),
});
export const ForeverInput = z.strictObject({ delayMs: z.number().int().min(10).max(60_000).default(500) });
export const BIG_TABLE_MAX_ROWS = 200_000;
export const BigTableInput = z.strictObject({ rows: z.number().int().min(1).max(BIG_TABLE_MAX_ROWS) });

/** One row of `big_table`. */
export interface BigTableRow {
  id: number;
  name: string;
  score: number;
}

/** Answers at once. */
export async function quick({ text }: z.output<typeof QuickInput>): Promise<{ echo: string; length: number }> {
  return { echo: text, length: text.length };
}

/** Counts to `to`, one step every `delayMs`, reporting progress after each. */
export async function slowCount(
  { to, delayMs }: z.output<typeof SlowCountInput>,
  { signal, reportProgress }: WorkContext,
): Promise<{ count: number }> {
  await reportProgress({ current: 0, total: to, message: "starting" });
  for (let step = 1; step <= to; step++) {
    await sleep(delayMs, signal);
    await reportProgress({ current: step, total: to, message: `counted ${step} of ${to}` });
  }
  return { count: to };
}

/** Works half of `steps`, then fails as an upstream service would. */
export async function failMidway(
  { steps, delayMs }: z.output<typeof FailMidwayInput>,
  { signal, reportProgress }: WorkContext,
): Promise<never> {
  const failAt = Math.ceil(steps / 2);
  for (let step = 1; step < failAt; step++) {
    await sleep(delayMs, signal);
    await reportProgress({ current: step, total: steps, message: `step ${step} of ${steps}` });
  }
  await sleep(delayMs, signal);
  throw new Error(`upstream service failed at step ${failAt} of ${steps}`);
}

/** Beats forever, reporting how long it has run, until its signal aborts. */
export async function untilCancelled(
  { delayMs }: z.output<typeof ForeverInput>,
  { signal, reportProgress }: WorkContext,
): Promise<never> {
  for (let beat = 1; ; beat++) {
    await sleep(delayMs, signal);
    await reportProgress({ message: `still running (beat ${beat})` });
  }
}

/**
 * A table of `rows` rows, `{ id, name: "row " + id, score: (id * 7) % 100 }` with `id` the row's index:
 * 50,000 rows are about 2 MB of compact JSON, far past what a client takes in one tool result.
 */
export async function bigTable(input: z.output<typeof BigTableInput>): Promise<{ rows: BigTableRow[] }> {
  return makeBigTable(input.rows);
}

/** The table `big_table` answers, built at once (the demo checks what it reads back against it). */
export function makeBigTable(rows: number): { rows: BigTableRow[] } {
  const table: BigTableRow[] = new Array(rows);
  for (let id = 0; id < rows; id++) table[id] = { id, name: `row ${id}`, score: (id * 7) % 100 };
  return { rows: table };
}

/** A table as `count_rows` and `sum_column` take it: an array of row objects (or a reference to one). */
const Table = z
  .array(z.record(z.string(), z.unknown()))
  .max(BIG_TABLE_MAX_ROWS)
  .describe("The rows, as an array of objects");
export const CountRowsInput = z.strictObject({ table: Table });
export const SumColumnInput = z.strictObject({
  table: Table,
  column: z.string().min(1).max(100).describe("The column to add up; non-numbers count as 0"),
});

/** How many rows `table` holds. */
export async function countRows({ table }: z.output<typeof CountRowsInput>): Promise<{ count: number }> {
  return { count: table.length };
}

/** The sum of `column` over `table`'s rows (values that are not numbers count as 0). */
export async function sumColumn({
  table,
  column,
}: z.output<typeof SumColumnInput>): Promise<{ column: string; sum: number; count: number }> {
  let sum = 0;
  for (const row of table) {
    const value = row[column];
    if (typeof value === "number") sum += value;
  }
  return { column, sum, count: table.length };
}

/**
 * The ref id of the demo's server-provided secret: stored execute-only without an owner, so any caller's
 * tool may use it by reference (`partner_api`) and no client may read it.
 */
export const DEMO_SECRET_REF_ID = "demo:partner-api-key";

/** Stores the demo secret (a new random key per start), execute-only, kept until deleted. */
export async function storeDemoSecret(cache: {
  set(key: string, value: unknown, options: { executeOnly: boolean; ttlMs: null }): Promise<unknown>;
}): Promise<void> {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const apiKey = `demo-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  await cache.set(DEMO_SECRET_REF_ID, { apiKey }, { executeOnly: true, ttlMs: null });
}

export const PartnerApiInput = z.strictObject({
  credentials: z.strictObject({ apiKey: z.string().min(1).max(200) }).describe("The partner API's credentials"),
  query: z.string().max(200).default("status"),
});

/**
 * Calls the (pretend) partner API with the credentials it is handed: a model passes the execute-only
 * secret by reference, so the key is used here and never shown — the answer holds no part of it.
 */
export async function partnerApi({
  credentials,
  query,
}: z.output<typeof PartnerApiInput>): Promise<{ query: string; authorized: boolean; answer: string }> {
  const authorized = credentials.apiKey.startsWith("demo-") && credentials.apiKey.length === 37;
  return { query, authorized, answer: authorized ? `partner API says: ${query} ok` : "partner API refused the key" };
}
