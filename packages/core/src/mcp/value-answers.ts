/**
 * How a value goes out to an MCP client: whole when it fits the answer budget, else as its reference,
 * its preview and its sizes, with the next step spelled out; and one page of it for `get_cached_result`.
 * Every adapter answers values through these, inline, on completion, in `tasks/result` and `tasks/get`.
 *
 * Size on the wire: the text block and the `structuredContent` of an answer are each at most the budget
 * plus `VALUE_ANSWER_ENVELOPE_CHARS`, each measured as its own compact JSON text, but for pointers: a
 * page's `path` and its `partial` pointer (a page has at most one) are never cut, so a pointer longer than
 * a few hundred characters (a part under keys that long) adds its length beyond the envelope, once in the
 * `structuredContent` and once in the text, and so does a cursor that carries such a pointer (up to 512
 * characters; under longer keys a cursor names its part by positions and stays short).
 */
import { dominantPart } from "../values/dominant-part.js";
import { sizeWithin } from "../values/measure.js";
import type { ValuePage } from "../values/page.js";
import { type PreviewResult, previewValue } from "../values/preview.js";
import { budgetUnit, type ResolvedValueBudget } from "../values/value-budget.js";
import { refResourceLink } from "./ref-resources.js";
import type { McpToolResult } from "./result-shapes.js";
import { describeRetention, type Retention } from "./retention.js";
import { DEFAULT_POLLING_TOOL_NAMES, type PollingToolNames } from "./tool-inputs.js";
import { textOf, valueToolResult } from "./tool-results.js";
import { fitsWithin } from "./value-budget-option.js";

/**
 * What an answer adds around the value, preview or page it carries (characters of compact JSON, for a
 * ref id and cursor of usual length): the wording of the next step, the ref id, the sizes.
 */
export const VALUE_ANSWER_ENVELOPE_CHARS = 1_000;

/** The answer of a value too large to hand out whole. */
export interface McpValueReference {
  refId: string;
  status: "completed";
  /** The value cut down to the budget; what is left out is marked inside it. */
  preview: unknown;
  complete: false;
  /** Size of `preview` (compact JSON characters, or the budget's own unit). */
  chars: number;
  /** Size of the whole value. */
  totalChars: number;
}

/** How a value answer is sized and worded. */
export interface ValueAnswerOptions {
  /** The answer's budget; `false` answers the value whole whatever its size. */
  budget: ResolvedValueBudget | false;
  /** Names of the polling tools the text points to. */
  names?: PollingToolNames | undefined;
  /** How long the value stays readable, stated in the text when known. */
  retention?: Retention | undefined;
  /** The value is execute-only: the answer is its reference alone, whatever its size (no preview). */
  executeOnly?: boolean | undefined;
  /**
   * The reference resource template when the adapter serves references as resources: an answer that hands
   * back a reference then also carries a `resource_link` content item to it.
   */
  resourceTemplate?: string | undefined;
}

/** UTF-8 length of `text` in bytes (a surrogate pair is four), without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

/** `result` with a `resource_link` to `refId` appended when references are served as resources. */
function withResourceLink(
  result: McpToolResult,
  refId: string,
  template: string | undefined,
  value?: unknown,
): McpToolResult {
  if (template === undefined) return result;
  const sizeBytes = value === undefined ? undefined : utf8Length(JSON.stringify(value) ?? "null");
  const link = refResourceLink(refId, { uriTemplate: template, sizeBytes });
  return { ...result, content: [...result.content, link] };
}

const kept = (retention: Retention | undefined) =>
  retention === undefined ? "" : ` (${describeRetention(retention)})`;

/** The answer of a value too large for `budget`: `{ refId, status, preview, complete, chars, totalChars }`. */
export function referenceToolResult(
  refId: string,
  preview: PreviewResult,
  budget: ResolvedValueBudget,
  options: Omit<ValueAnswerOptions, "budget"> & { value?: unknown } = {},
): McpToolResult {
  const names = options.names ?? DEFAULT_POLLING_TOOL_NAMES;
  const unit = budgetUnit(budget);
  const { value } = options;
  // Most of a wrapped result is one part (the rows under `data.result`, say): named, it is paged at once.
  const most =
    value === undefined
      ? undefined
      : dominantPart(value, budget.measure === undefined ? preview.totalChars : sizeWithin(value, Infinity));
  const part =
    most === undefined
      ? `"path" (a JSON Pointer, RFC 6901) pages one part of it.`
      : `Most of it is ${most.description} at "${most.pointer}": page that part alone by calling ${names.result} ` +
        `with ${JSON.stringify({ refId, path: most.pointer })}.`;
  const text =
    `Too large to answer whole: ${preview.totalChars} ${unit} of JSON, over this answer's budget of ` +
    `${budget.maxChars}. It is stored under refId "${refId}"${kept(options.retention)}. Below is a preview; ` +
    `"…" marks what is left out. To read all of it, call ${names.result} with ${JSON.stringify({ refId })}, ` +
    `then again with each page's nextCursor as "cursor" until none is left; an item too large for a page ` +
    `stands as a preview, listed in "partial", read the same way from its cursor in "partialCursors". ` +
    `${part}\n${textOf(preview.preview)}`;
  const structured: McpValueReference = {
    refId,
    status: "completed",
    preview: preview.preview,
    complete: false,
    chars: preview.chars,
    totalChars: preview.totalChars,
  };
  const result: McpToolResult = { content: [{ type: "text", text }], structuredContent: { ...structured } };
  return withResourceLink(result, refId, options.resourceTemplate, options.value);
}

/**
 * A value stored under `refId`, answered to a client: inline as today (`structuredContent` once, compact
 * text) when it fits the budget or the budget is off, else its reference with a preview.
 */
export function valueAnswer(refId: string, value: unknown, options: ValueAnswerOptions): McpToolResult {
  const { budget } = options;
  if (options.executeOnly === true) return executeOnlyToolResult(refId, options);
  if (budget === false || fitsWithin(value, budget.maxChars, budget)) return valueToolResult(value);
  const preview = previewValue(value, { maxChars: budget.maxChars, measure: budget.measure });
  if (preview.complete) return valueToolResult(value);
  return referenceToolResult(refId, preview, budget, { ...options, value });
}

/** The answer of an execute-only value: `{ refId, status: "completed", executeOnly: true }`, never the value. */
export interface McpExecuteOnlyReference {
  refId: string;
  status: "completed";
  executeOnly: true;
}

/**
 * The answer of an execute-only result: its reference alone (inline, on completion, in `tasks/result` and
 * `tasks/get` alike), with how to use it — never the value, not even a preview, whatever its size.
 */
export function executeOnlyToolResult(
  refId: string,
  options: Omit<ValueAnswerOptions, "budget" | "executeOnly"> = {},
): McpToolResult {
  const text =
    `Done. The result is stored under refId "${refId}"${kept(options.retention)} and is execute-only: it cannot ` +
    `be read, but a tool that accepts a reference takes it as ${JSON.stringify({ refId })}.`;
  const structured: McpExecuteOnlyReference = { refId, status: "completed", executeOnly: true };
  // No size: even the size of an execute-only value is not the client's to read.
  return withResourceLink(
    { content: [{ type: "text", text }], structuredContent: { ...structured } },
    refId,
    options.resourceTemplate,
  );
}

/** What the items of a page are called, by the kind of part paged. */
function countedAs(page: ValuePage): string | undefined {
  if (Array.isArray(page.value)) return "items";
  if (typeof page.value === "string") return "characters";
  if (typeof page.value === "object" && page.value !== null) return "keys";
  return undefined;
}

/** Pointers named in a page's text; the full list is in `partial`. */
const PARTIAL_NAMED = 5;

/**
 * Longest pointer a page answer's text names outside the page itself (characters): a longer one (a part
 * under keys that long) is named by its place in the page's JSON and reached by its cursor, so the text
 * holds it once, not up to three times. 100: what the envelope (`VALUE_ANSWER_ENVELOPE_CHARS`) has room for
 * beside the hints, at the smallest budget (the sweep of key lengths in test/mcp-value-answers.test.ts).
 */
export const POINTER_NAMED_MAX_LENGTH = 100;
/** A pointer the text may name: short, and short once escaped as JSON (control characters, lone surrogates). */
const isNamed = (pointer: string) =>
  pointer.length <= POINTER_NAMED_MAX_LENGTH && JSON.stringify(pointer).length <= POINTER_NAMED_MAX_LENGTH + 2;

/**
 * Longest cursor a page answer's text repeats in its hints (characters); a longer one (a part under long
 * keys, named by pointer) is pointed to in the page's JSON, so the text holds it once.
 */
const CURSOR_REPEATED_MAX_LENGTH = 100;

/** How a page answer is worded. */
export interface PageAnswerOptions {
  names?: PollingToolNames | undefined;
  /** A `maxChars` the caller asked for: repeated in the next call it is told to make. */
  maxChars?: number | undefined;
  /** A first line saying why a page came instead of the whole value. */
  note?: string | undefined;
}

/**
 * The answer of `get_cached_result` with one page: `{ refId, status: "completed", page }`, and a text
 * saying which part this is, how to get the next page, and how to read items that stand as previews.
 */
export function pageToolResult(page: ValuePage, options: PageAnswerOptions = {}): McpToolResult {
  const names = options.names ?? DEFAULT_POLLING_TOOL_NAMES;
  const { refId } = page;
  const where =
    page.path === ""
      ? "the value"
      : isNamed(page.path)
        ? `"${page.path}"`
        : `the part in "path" (a pointer of ${page.path.length} characters)`;
  const unit = countedAs(page);
  const count = pageCount(page);
  const lines: string[] = [];
  if (options.note !== undefined) lines.push(options.note);
  const span = count === 0 ? "none" : `[${page.offset}..${page.offset + count - 1}]`;
  lines.push(
    unit === undefined
      ? `Page of ${where}: the whole of it.`
      : `Page of ${where}: ${unit} ${span} of ${page.total}, counted from 0.`,
  );
  const maxChars = options.maxChars === undefined ? {} : { maxChars: options.maxChars };
  const next = page.nextCursor;
  lines.push(
    next === undefined
      ? "This is the last page."
      : next.length <= CURSOR_REPEATED_MAX_LENGTH
        ? `For the next page call ${names.result} with ${JSON.stringify({ refId, cursor: next, ...maxChars })}.`
        : `For the next page call ${names.result} with ${JSON.stringify({ refId, ...maxChars })} and this page's ` +
          `"nextCursor" (below) as "cursor".`,
  );
  const partial = page.partial ?? [];
  if (partial.length > 0) {
    const shown = partial.filter(isNamed).slice(0, PARTIAL_NAMED);
    const rest = partial.length - shown.length;
    const more =
      rest === 0 ? "" : `${shown.length > 0 ? " and " : ""}${rest} ${shown.length > 0 ? "more " : ""}in "partial"`;
    const first = partial[0] as string;
    const cursor = page.partialCursors?.[0];
    const byPath = isNamed(first) || cursor === undefined;
    lines.push(
      `${partial.length} item(s) too large for a page stand here as previews (${shown.join(", ")}${more}): read each with ` +
        (byPath
          ? `${names.result} and ${JSON.stringify({ refId, path: first })}, its own pointer as "path" (or its cursor in "partialCursors" as "cursor").`
          : cursor.length <= CURSOR_REPEATED_MAX_LENGTH
            ? `${names.result} and ${JSON.stringify({ refId, cursor })}, its cursor in "partialCursors".`
            : `${names.result} and ${JSON.stringify({ refId })} with its cursor in "partialCursors" (below) as "cursor".`),
    );
  }
  lines.push(JSON.stringify(page));
  return {
    content: [{ type: "text", text: lines.join("\n") }],
    structuredContent: { refId, status: "completed", page: { ...page } },
  };
}

/** What a page holds: items of an array page, keys of an object page, characters of a string page. */
function pageCount(page: ValuePage): number {
  if (Array.isArray(page.value) || typeof page.value === "string") return page.value.length;
  if (typeof page.value === "object" && page.value !== null) return Object.keys(page.value).length;
  return 1;
}
