/**
 * The references part of the scripted demo: the 50,000-row table's refId handed to `count_rows` and
 * `sum_column` (so the rows never enter an answer), and the server's execute-only secret used by
 * `partner_api` by reference while every attempt to read it is refused.
 */
import type { BigTableRead, ToolAnswer } from "./big-table-demo.js";
import { DEMO_SECRET_REF_ID, makeBigTable } from "./tools.js";

/** What passing references found. */
export interface ReferencesRead {
  count: number;
  sum: number;
  /** The sum computed here from the table the tool builds: the tool's answer must equal it. */
  expectedSum: number;
  /** The largest of these answers (characters of compact JSON): the rows never came back. */
  largestAnswerChars: number;
  /**
   * The answer's `resource_link`, read with `resources/read`, gave the table's first rows (MCP only: its
   * first page, whose `partialUris` lead to the rows, page by page).
   */
  resourceRead?: boolean;
  /** Reading the secret with get_cached_result was refused. */
  secretRefused: boolean;
  /**
   * partner_api, handed the secret by reference, was authorized — and its answer holds no part of the key
   * (MCP only: the HTTP demo has no partner route).
   */
  secretUsed?: boolean;
}

const textOf = (answer: ToolAnswer) => (answer.content ?? []).map((c) => c.text ?? "").join("\n");

/** Through MCP: `count_rows` and `sum_column` with `{ refId, path: "/rows" }`, then the secret. */
export async function passReferencesOverMcp(
  call: (name: string, args: Record<string, unknown>) => Promise<ToolAnswer>,
  big: Pick<BigTableRead, "refId" | "resourceUri">,
  rows: number,
  log: (line: string) => void,
  readResource?: (uri: string) => Promise<string>,
): Promise<ReferencesRead> {
  const table = { refId: big.refId, path: "/rows" };
  const counted = await call("count_rows", { table });
  const summed = await call("sum_column", { table, column: "score" });
  if (counted.isError === true || summed.isError === true) {
    throw new Error(`passing a reference failed: ${textOf(counted)} ${textOf(summed)}`);
  }
  const { count } = counted.structuredContent as { count: number };
  const { sum } = summed.structuredContent as { sum: number };
  const expectedSum = makeBigTable(rows).rows.reduce((total, row) => total + row.score, 0);
  const largest = Math.max(JSON.stringify(counted).length, JSON.stringify(summed).length);
  log(`  count_rows({"table":${JSON.stringify(table)}}) → ${JSON.stringify(counted.structuredContent)}`);
  log(`  sum_column(… "column":"score") → ${JSON.stringify(summed.structuredContent)} (${largest} characters)`);

  const read = await call("get_cached_result", { refId: DEMO_SECRET_REF_ID });
  // Server-only and execute-only: to a client it reads as not there at all (the owner rule decides reads).
  const secretRefused = read.isError === true && !JSON.stringify(read).includes("demo-");
  log(
    `  get_cached_result on the secret → ${secretRefused ? "refused" : "NOT REFUSED"}: "${textOf(read).split("\n")[0]}"`,
  );
  const used = await call("partner_api", { credentials: { refId: DEMO_SECRET_REF_ID }, query: "status" });
  const answer = used.structuredContent as { authorized?: boolean } | undefined;
  const secretUsed = used.isError !== true && answer?.authorized === true && !JSON.stringify(used).includes("demo-");
  log(`  partner_api with the secret by reference → ${JSON.stringify(used.structuredContent)}`);
  let resourceRead: boolean | undefined;
  if (readResource !== undefined && big.resourceUri !== undefined) {
    const first = JSON.parse(await readResource(big.resourceUri)) as { partialUris?: string[] };
    const rowsUri = first.partialUris?.[0];
    const page = rowsUri === undefined ? undefined : (JSON.parse(await readResource(rowsUri)) as { value: unknown[] });
    const firstRow = makeBigTable(1).rows[0];
    resourceRead = JSON.stringify(page?.value?.[0]) === JSON.stringify(firstRow);
    log(
      `  resources/read ${big.resourceUri} → a page whose partialUris lead to the rows; ${rowsUri} → ` +
        `${page?.value.length ?? 0} rows, from ${JSON.stringify(page?.value?.[0])}`,
    );
  }
  return {
    count,
    sum,
    expectedSum,
    largestAnswerChars: largest,
    secretRefused,
    secretUsed,
    ...(resourceRead === undefined ? {} : { resourceRead }),
  };
}
