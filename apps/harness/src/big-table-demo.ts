/**
 * The big-value part of the scripted demo: a 50,000-row `big_table` answered as a preview and a refId
 * (MCP) or as a value with a `Content-Location` (HTTP), then read to the end page by page, as a model or
 * a program would, and checked row by row against what the tool computes.
 */
import { makeBigTable } from "./tools.js";

export const BIG_TABLE_ROWS = 50_000;

/** A `tools/call` result, as both SDK clients hand it back. */
export interface ToolAnswer {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: { type: string; text?: string }[];
}

/** A page as `get_cached_result` and `GET /refs/:refId?cursor=` answer it (core's ValuePage). */
interface Page {
  path: string;
  value: unknown;
  offset: number;
  total: number;
  nextCursor?: string;
  partial?: string[];
}

/** What reading a big value back found. */
export interface BigTableRead {
  /** The reference the table is stored under. */
  refId: string;
  /** The `resource_link` the answer carried (MCP, when references are served as resources). */
  resourceUri?: string;
  /** The answer of the first call, before any page (preview size over total size). */
  previewChars: number;
  totalChars: number;
  /** Pages read, and the largest answer seen (characters of the structuredContent or body). */
  pages: number;
  largestAnswerChars: number;
  /** The reassembled value equals the tool's table, row for row. */
  exact: boolean;
}

/** Joins consecutive pages of one part: arrays concatenated, objects merged, strings joined. */
function join(pages: Page[]): unknown {
  const first = pages[0]?.value;
  if (Array.isArray(first)) return pages.flatMap((p) => p.value as unknown[]);
  if (typeof first === "string") return pages.map((p) => p.value as string).join("");
  if (typeof first === "object" && first !== null) return Object.assign({}, ...pages.map((p) => p.value as object));
  return first;
}

/** Replaces the member at `pointer` (RFC 6901, relative to `root`) with `value`. */
function replaceAt(root: unknown, pointer: string, value: unknown): unknown {
  if (pointer === "") return value;
  const tokens = pointer
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
  let node = root as Record<string, unknown>;
  for (const token of tokens.slice(0, -1)) node = node[token] as Record<string, unknown>;
  node[tokens.at(-1) as string] = value;
  return root;
}

/**
 * Reads a part (`path`, a JSON Pointer) page by page with `fetchPage`, following `nextCursor`, then each
 * item a page listed as `partial` at its own pointer, and joins it all back.
 */
async function readPart(
  fetchPage: (at: { path: string } | { cursor: string }) => Promise<Page>,
  path: string,
  seen: { pages: number },
): Promise<unknown> {
  const pages = [await fetchPage({ path })];
  seen.pages++;
  for (let page = pages[0] as Page; page.nextCursor !== undefined; seen.pages++) {
    page = await fetchPage({ cursor: page.nextCursor });
    pages.push(page);
  }
  let part = join(pages);
  for (const pointer of pages.flatMap((p) => p.partial ?? [])) {
    part = replaceAt(part, pointer.slice(path.length), await readPart(fetchPage, pointer, seen));
  }
  return part;
}

const equalsTable = (value: unknown, rows: number) => JSON.stringify(value) === JSON.stringify(makeBigTable(rows));

/** Through MCP: `big_table`, then `get_cached_result` from the first page to the last. */
export async function readBigTableOverMcp(
  call: (name: string, args: Record<string, unknown>) => Promise<ToolAnswer>,
  log: (line: string) => void,
): Promise<BigTableRead> {
  const answer = await call("big_table", { rows: BIG_TABLE_ROWS });
  const reference = answer.structuredContent as { refId: string; chars: number; totalChars: number; preview: unknown };
  const firstLine = (answer.content?.find((c) => c.type === "text")?.text ?? "").split("\n")[0] ?? "";
  log(
    `  answered with a preview of ${reference.chars} of ${reference.totalChars} characters, refId ${reference.refId}`,
  );
  log(`  the model is told: "${firstLine.slice(0, 160)}…"`);
  let largest = JSON.stringify(answer.structuredContent).length;
  const seen = { pages: 0 };
  const fetchPage = async (at: { path: string } | { cursor: string }): Promise<Page> => {
    const result = await call("get_cached_result", { refId: reference.refId, ...at });
    if (result.isError === true) throw new Error(result.content?.[0]?.text ?? "get_cached_result failed");
    largest = Math.max(largest, JSON.stringify(result.structuredContent).length);
    return (result.structuredContent as { page: Page }).page;
  };
  const value = await readPart(fetchPage, "", seen);
  const exact = equalsTable(value, BIG_TABLE_ROWS);
  log(
    `  get_cached_result × ${seen.pages}: paged to the end, no answer over ${largest} characters; ` +
      `${(value as { rows: unknown[] }).rows.length} rows reassembled, ${exact ? "identical" : "DIFFERENT"}`,
  );
  const link = answer.content?.find((c) => c.type === "resource_link") as { uri?: string } | undefined;
  return {
    refId: reference.refId,
    ...(link?.uri === undefined ? {} : { resourceUri: link.uri }),
    previewChars: reference.chars,
    totalChars: reference.totalChars,
    pages: seen.pages,
    largestAnswerChars: largest,
    exact,
  };
}

/** Through HTTP: `POST /demo/big-table`, its preview, then `GET …?path=` and each `Link: rel="next"`. */
export async function readBigTableOverHttp(baseUrl: string, log: (line: string) => void): Promise<BigTableRead> {
  const url = (path: string) => new URL(path, baseUrl);
  const response = await fetch(url(`/demo/big-table?rows=${BIG_TABLE_ROWS}`), { method: "POST" });
  const body = await response.text();
  const location = response.headers.get("content-location") as string;
  log(`  ${response.status} with the whole value (${body.length} characters), Content-Location: ${location}`);
  const preview = (await (await fetch(url(`${location}/preview`))).json()) as { chars: number; totalChars: number };
  log(`  GET ${location}/preview → ${preview.chars} of ${preview.totalChars} characters`);
  let largest = 0;
  const seen = { pages: 0 };
  let next: string | undefined;
  const fetchPage = async (at: { path: string } | { cursor: string }): Promise<Page> => {
    // The Link header names the next page; a path starts a part.
    const target =
      "cursor" in at && next !== undefined
        ? next
        : `${location}?path=${encodeURIComponent((at as { path: string }).path)}`;
    const page = await fetch(url(target));
    if (page.status !== 200) throw new Error(`GET ${target} → ${page.status}`);
    const text = await page.text();
    largest = Math.max(largest, text.length);
    next = /^<([^>]+)>;\s*rel="next"$/.exec(page.headers.get("link") ?? "")?.[1];
    return JSON.parse(text) as Page;
  };
  const value = await readPart(fetchPage, "", seen);
  const exact = equalsTable(value, BIG_TABLE_ROWS);
  log(
    `  GET ${location}?path=… × ${seen.pages}, following Link rel="next": no page over ${largest} characters; ` +
      `${(value as { rows: unknown[] }).rows.length} rows reassembled, ${exact ? "identical" : "DIFFERENT"}`,
  );
  return {
    refId: decodeURIComponent(location.split("/").at(-1) as string),
    previewChars: preview.chars,
    totalChars: preview.totalChars,
    pages: seen.pages,
    largestAnswerChars: largest,
    exact,
  };
}
