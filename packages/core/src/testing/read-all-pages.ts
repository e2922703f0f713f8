/**
 * Reads a stored value back through `get_cached_result` as a model would: the first answer, then each
 * `nextCursor` to the end, then every item a page listed as `partial` at its own pointer (from its cursor
 * in `partialCursors` where the pointer is longer than the text names, as the answer's text says); joins the pages
 * and hands back the value with every answer seen, so a test can check both the value and each answer's
 * size. Transport-neutral: `call` is whatever sends one `get_cached_result` call (an SDK client, a direct
 * call of the polling tools). `readAllRefResource` does the same through `resources/read`.
 */
import { REF_PAGE_META_KEY } from "../mcp/ref-resources.js";
import { POINTER_NAMED_MAX_LENGTH } from "../mcp/value-answers.js";

/** A `tools/call` result as any SDK hands it back. */
export interface ToolAnswer {
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

interface PageLike {
  path: string;
  value: unknown;
  nextCursor?: string;
  partial?: string[];
  partialCursors?: string[];
}

export interface ReadAllPagesOptions {
  /** A `maxChars` sent with every call. */
  maxChars?: number;
  /** Most calls before giving up (a cursor that loops fails the read rather than hanging). */
  maxCalls?: number;
}

const textOf = (answer: ToolAnswer) => (answer.content ?? []).map((c) => c.text ?? "").join("\n");

/** Joins consecutive pages of one part: arrays concatenated, objects merged, strings joined. */
function join(pages: PageLike[]): unknown {
  const first = pages[0]?.value;
  if (Array.isArray(first)) return pages.flatMap((p) => p.value as unknown[]);
  if (typeof first === "string") return pages.map((p) => p.value as string).join("");
  if (typeof first === "object" && first !== null) {
    const out: Record<string, unknown> = {};
    for (const page of pages) {
      for (const [key, value] of Object.entries(page.value as object)) {
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
  return first;
}

/** Puts `value` in `part` at `pointer`, which names a member of it: its last token, unescaped (RFC 6901). */
function replaceMember(part: unknown, pointer: string, value: unknown): void {
  const last = pointer
    .slice(pointer.lastIndexOf("/") + 1)
    .replaceAll("~1", "/")
    .replaceAll("~0", "~");
  Object.defineProperty(part, last, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads the value under `refId` to the end through `call` (one `get_cached_result` per call) and returns
 * it with every answer. Throws on an `isError` answer, a repeated cursor, or past `maxCalls`.
 */
export async function readAllPages(
  call: (args: Record<string, unknown>) => Promise<ToolAnswer>,
  refId: string,
  options: ReadAllPagesOptions = {},
): Promise<{ value: unknown; answers: ToolAnswer[] }> {
  const answers: ToolAnswer[] = [];
  const maxCalls = options.maxCalls ?? 100_000;
  const sizing = options.maxChars === undefined ? {} : { maxChars: options.maxChars };
  const send = async (args: Record<string, unknown>) => {
    if (answers.length >= maxCalls) throw new Error(`more than ${maxCalls} calls to read "${refId}"`);
    const answer = await call({ refId, ...args, ...sizing });
    answers.push(answer);
    if (answer.isError === true) throw new Error(`get_cached_result failed: ${textOf(answer)}`);
    return answer.structuredContent ?? {};
  };

  /** The whole value (`{}`), or the part an item's pointer or first-page cursor names, read to the end. */
  const readPart = async (start: { path: string } | { cursor: string } | Record<string, never>): Promise<unknown> => {
    const first = await send(start);
    if (!("path" in start) && !("cursor" in start) && "value" in first) return first.value;
    const pages = [first.page as PageLike];
    const seen = new Set<string>();
    for (let page = pages[0] as PageLike; page.nextCursor !== undefined; ) {
      if (seen.has(page.nextCursor)) throw new Error(`cursor ${page.nextCursor} came twice`);
      seen.add(page.nextCursor);
      page = (await send({ cursor: page.nextCursor })).page as PageLike;
      pages.push(page);
    }
    const part = join(pages);
    for (const page of pages) {
      for (const [j, pointer] of (page.partial ?? []).entries()) {
        const cursor = page.partialCursors?.[j];
        const byPath = cursor === undefined || pointer.length <= POINTER_NAMED_MAX_LENGTH;
        replaceMember(part, pointer, await readPart(byPath ? { path: pointer } : { cursor }));
      }
    }
    return part;
  };

  return { value: await readPart({}), answers };
}

/** One content of a `resources/read` result as any SDK hands it back. */
export interface ResourceContent {
  text?: string;
  _meta?: Record<string, unknown>;
}

interface ResourcePage extends PageLike {
  nextUri?: string;
  partialUris?: string[];
}

/**
 * Reads the value a reference resource URI names through `resources/read` as a client would: the value
 * itself, or, for a content marked as a page (`_meta[REF_PAGE_META_KEY]`), each `nextUri` to the end and
 * every item in `partialUris`, joined. `read` sends one `resources/read` and hands back its first content.
 * Throws on a repeated URI, or past `maxReads` (default 100,000).
 */
export async function readAllRefResource(
  read: (uri: string) => Promise<ResourceContent>,
  uri: string,
  options: { maxReads?: number } = {},
): Promise<unknown> {
  const maxReads = options.maxReads ?? 100_000;
  const seen = new Set<string>();
  const readPart = async (start: string): Promise<unknown> => {
    const pages: ResourcePage[] = [];
    for (let next: string | undefined = start; next !== undefined; next = pages.at(-1)?.nextUri) {
      if (seen.has(next)) throw new Error(`${next} came twice`);
      if (seen.size >= maxReads) throw new Error(`more than ${maxReads} reads of "${uri}"`);
      seen.add(next);
      const content = await read(next);
      const body = JSON.parse(content.text ?? "null") as unknown;
      if (content._meta?.[REF_PAGE_META_KEY] !== true) {
        if (pages.length > 0) throw new Error(`${next} (a nextUri) answered no page`);
        return body;
      }
      pages.push(body as ResourcePage);
    }
    const part = join(pages);
    for (const page of pages) {
      for (const [j, pointer] of (page.partial ?? []).entries()) {
        replaceMember(part, pointer, await readPart(page.partialUris?.[j] as string));
      }
    }
    return part;
  };
  return readPart(uri);
}

/** The sizes that bound an answer on the wire: its text and its `structuredContent`, as compact JSON. */
export function answerSizes(answer: ToolAnswer): { text: number; structured: number } {
  return {
    text: textOf(answer).length,
    structured: (JSON.stringify(answer.structuredContent ?? {}) ?? "").length,
  };
}
