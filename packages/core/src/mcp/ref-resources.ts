/**
 * References as MCP resources, written once for both adapters: the URI of a stored value under a resource
 * template (`refcache://refs/{refId}` by default; ids hold `:`, so the id is percent-encoded into a path
 * segment), reading such a URI back, and what `resources/read` answers — the whole value as
 * `application/json` when it fits the answer budget, else its first `ValuePage`, the next page reachable
 * by `?cursor=` in the URI and a part by `?path=` (`resources/read` has no paging of its own). Owner scope and execute-only apply
 * as for `get_cached_result`. Listing references is not offered: it would enumerate ids.
 */
import * as z from "zod";
import { storedFault } from "../codec.js";
import { ExecuteOnlyError } from "../errors.js";
import type { ClientEntry } from "../models.js";
import { parseOrThrow } from "../parse.js";
import type { ValuePage } from "../values/page.js";
import { pageValue } from "../values/page.js";
import { ASKED_MAX_CHARS_TEXT, AskedMaxCharsSchema } from "../values/value-budget.js";
import type { PageOptions } from "../values/value-schemas.js";
import { answerBudget, fitsWithin, type McpValueBudget, type ValueBudgetSource } from "./value-budget-option.js";

/** The default resource template of references. */
export const DEFAULT_REF_RESOURCE_TEMPLATE = "refcache://refs/{refId}";

/** What the reference resource template is called and says of itself, in every adapter. */
export const REF_RESOURCE_METADATA = {
  title: "Stored value",
  mimeType: "application/json",
  description:
    "A value a tool answered with a refId, as JSON: whole when it fits the answer budget, else its first page; " +
    "follow nextUri (…?cursor=) for the next page and partialUris (…?path=) for items too large for a page. " +
    'A path of your own goes in percent-encoded ("?path=%2Frows"): a raw "/" does not match the template.',
} as const;

/** A template with exactly one `{refId}`, at its end, after a scheme, and no query of its own (the cursor goes there). */
export const RefResourceTemplateSchema = z
  .string()
  .max(512)
  .refine((t) => /^[a-z][a-z0-9+.-]*:/i.test(t), "the template must start with a URI scheme")
  .refine((t) => t.split("{refId}").length === 2, "the template must hold {refId} exactly once")
  .refine((t) => !t.includes("?") && !t.includes("#"), "the template must have no query or fragment")
  .refine((t) => !/\{(?!refId\})/.test(t.replace("{refId}", "")), "{refId} is the template's only variable")
  // The SDKs match a URI against the template anchored at its end, so text after {refId} would make every
  // `?cursor=` / `?path=` URI a page hands out (nextUri, partialUris) unreadable.
  .refine(
    (t) => t.endsWith("{refId}"),
    "the template must end with {refId} (page URIs add ?cursor= and ?path= after it)",
  );

/**
 * Which page a reference URI names: `?cursor=` (a page's `nextCursor`) and/or `?path=` (a JSON Pointer),
 * and `?maxChars=`, the largest page the client wants (capped at the answer budget).
 */
export interface RefResourcePage {
  cursor?: string | undefined;
  path?: string | undefined;
  /** Whole digits as given; anything else parses to `NaN`, which the read refuses (VALIDATION_ERROR). */
  maxChars?: number | undefined;
}

/** The URI of `refId`'s value under `template`; with a cursor or path, of that page or part. */
export function refResourceUri(
  refId: string,
  template = DEFAULT_REF_RESOURCE_TEMPLATE,
  page: RefResourcePage = {},
): string {
  const uri = template.replace("{refId}", encodeURIComponent(refId));
  const query = new URLSearchParams();
  if (page.path !== undefined) query.set("path", page.path);
  if (page.cursor !== undefined) query.set("cursor", page.cursor);
  if (page.maxChars !== undefined) query.set("maxChars", String(page.maxChars));
  return query.size === 0 ? uri : `${uri}?${query}`;
}

/** The ref id and cursor a URI under `template` names, or `undefined` when it is not one of its URIs. */
export function parseRefResourceUri(
  uri: string,
  template = DEFAULT_REF_RESOURCE_TEMPLATE,
): ({ refId: string } & RefResourcePage) | undefined {
  const [prefix = "", suffix = ""] = template.split("{refId}");
  const queryAt = uri.indexOf("?");
  const base = queryAt === -1 ? uri : uri.slice(0, queryAt);
  if (!base.startsWith(prefix) || !base.endsWith(suffix) || base.length <= prefix.length + suffix.length) {
    return undefined;
  }
  let refId: string;
  try {
    refId = decodeURIComponent(base.slice(prefix.length, base.length - suffix.length));
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(queryAt === -1 ? "" : uri.slice(queryAt + 1));
  const target: { refId: string } & RefResourcePage = { refId };
  const path = query.get("path");
  const cursor = query.get("cursor");
  const maxChars = query.get("maxChars");
  if (path !== null) target.path = path;
  if (cursor !== null) target.cursor = cursor;
  if (maxChars !== null) target.maxChars = ASKED_MAX_CHARS_TEXT.test(maxChars) ? Number(maxChars) : Number.NaN;
  return target;
}

/** The part of `RefCache` a resource read uses; a RefCache satisfies it. */
export interface RefResourceCache extends ValueBudgetSource {
  /** The entry as a client may see it: an execute-only value without its value, never decoded. */
  getEntryForClient(key: string, options?: { owner?: string }): Promise<ClientEntry | undefined>;
  page(key: string, options?: PageOptions): Promise<ValuePage | undefined>;
}

export interface RefResourceReadOptions {
  /** The caller's owner (an adapter always sets one). */
  owner?: string | undefined;
  /** The adapter's `valueBudget` option. */
  valueBudget?: McpValueBudget | undefined;
  /** The resource template (default `refcache://refs/{refId}`). */
  uriTemplate?: string | undefined;
}

/**
 * The `_meta` key of a `resources/read` content that holds a page (a `ValuePage` with `nextUri` and
 * `partialUris`) rather than the value itself: `{ "io.github.mcp-refcache/page": true }`. The text alone
 * cannot tell them apart, since a value may have a page's fields.
 */
export const REF_PAGE_META_KEY = "io.github.mcp-refcache/page";

/** A `resources/read` result: one `application/json` text content, marked when it holds a page. */
export interface RefResourceContents {
  contents: [{ uri: string; mimeType: "application/json"; text: string; _meta?: { [REF_PAGE_META_KEY]: true } }];
}

/**
 * What `resources/read` answers for `uri`: the whole value as JSON when it fits the budget, else the
 * `ValuePage` of its first page (or of the page `?cursor=` / the part `?path=` names; `?maxChars=` asks
 * for smaller pages, capped at the budget, and the URIs a page hands out keep it), its content marked
 * with `_meta[REF_PAGE_META_KEY]`, with `nextUri` for
 * the next page and `partialUris` for items too large for it (`?path=`, or `?cursor=` of the item's first
 * page when its pointer is long or holds a lone surrogate, which a URI cannot carry).
 * `undefined` when `uri` is not a reference URI or names nothing this owner may read (unknown, expired,
 * another owner's). Throws ExecuteOnlyError for an execute-only value, ValidationError for a bad cursor
 * or a `maxChars` that is not a whole number of at least 64 (a larger one is capped at the budget).
 */
export async function readRefResource(
  cache: RefResourceCache,
  uri: string,
  options: RefResourceReadOptions = {},
): Promise<RefResourceContents | undefined> {
  const template = parseOrThrow(
    RefResourceTemplateSchema,
    options.uriTemplate ?? DEFAULT_REF_RESOURCE_TEMPLATE,
    "uriTemplate",
  );
  const target = parseRefResourceUri(uri, template);
  if (target === undefined) return undefined;
  const { refId, cursor, path, maxChars: asked } = target;
  const owner = options.owner === undefined ? {} : { owner: options.owner };
  const budget = answerBudget(cache, options.valueBudget);
  const pageBudget = budget === false ? answerBudget(cache, undefined) : budget;
  if (pageBudget === false) throw new TypeError("a budget without override is never off");
  if (asked !== undefined) parseOrThrow(AskedMaxCharsSchema, asked, "maxChars", refId);
  // A smaller page asked for is kept in every URI a page hands out.
  const sized = asked === undefined ? {} : { maxChars: Math.min(asked, pageBudget.maxChars) };
  const answer = (body: unknown): RefResourceContents => ({
    contents: [{ uri, mimeType: "application/json", text: JSON.stringify(body) }],
  });
  const answerPage = (page: ValuePage): RefResourceContents => ({
    contents: [
      { uri, mimeType: "application/json", text: JSON.stringify(withNext(page)), _meta: { [REF_PAGE_META_KEY]: true } },
    ],
  });
  // The next page's URI, and one per item too large for the page (each pages on at its own path).
  const withNext = (page: ValuePage) => ({
    ...page,
    ...(page.nextCursor === undefined
      ? {}
      : { nextUri: refResourceUri(refId, template, { cursor: page.nextCursor, ...sized }) }),
    ...(page.partial === undefined
      ? {}
      : {
          partialUris: page.partial.map((pointer, j) =>
            partialUri(refId, template, pointer, page.partialCursors?.[j], sized),
          ),
        }),
  });

  if (cursor !== undefined || path !== undefined || asked !== undefined) {
    // core's page refuses an execute-only value for an owner, and checks the cursor and path.
    const page = await cache.page(refId, {
      maxChars: sized.maxChars ?? pageBudget.maxChars,
      ...owner,
      ...(cursor === undefined ? {} : { cursor }),
      ...(path === undefined ? {} : { path }),
    });
    return page === undefined ? undefined : answerPage(page);
  }
  const entry = await cache.getEntryForClient(refId, owner);
  if (entry === undefined) return undefined;
  if (entry.executeOnly === true) throw new ExecuteOnlyError(refId);
  const { value } = entry;
  try {
    if (budget === false || fitsWithin(value, budget.maxChars, budget)) return answer(value);
    const page = pageValue(value, {
      refId,
      version: entry.version,
      maxChars: budget.maxChars,
      measure: budget.measure,
    });
    return answerPage(page);
  } catch (error) {
    throw storedFault(error, () => value, refId);
  }
}

/** A lone surrogate (half of a pair, alone): percent-encoding, which is of UTF-8, cannot carry it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Longest pointer an item's URI carries as `?path=` (characters); past it, its cursor is shorter. */
const PATH_URI_MAX_POINTER = 512;

/**
 * The URI of an item too large for its page: `?path=<pointer>`, readable at a glance; or `?cursor=` of the
 * item's first page (from the page's `partialCursors`) for a long pointer, or one holding a lone surrogate.
 */
function partialUri(
  refId: string,
  template: string,
  pointer: string,
  cursor: string | undefined,
  sized: { maxChars?: number },
): string {
  if (cursor === undefined || (pointer.length <= PATH_URI_MAX_POINTER && !LONE_SURROGATE.test(pointer))) {
    return refResourceUri(refId, template, { path: pointer, ...sized });
  }
  return refResourceUri(refId, template, { cursor, ...sized });
}

/** A `resource_link` content item for `refId`'s value (MCP 2025-06-18 and later). */
export function refResourceLink(
  refId: string,
  options: { uriTemplate?: string | undefined; sizeBytes?: number | undefined } = {},
): { type: "resource_link"; uri: string; name: string; mimeType: "application/json"; size?: number } {
  const link = {
    type: "resource_link" as const,
    uri: refResourceUri(refId, options.uriTemplate ?? DEFAULT_REF_RESOURCE_TEMPLATE),
    name: refId,
    mimeType: "application/json" as const,
  };
  return options.sizeBytes === undefined ? link : { ...link, size: options.sizeBytes };
}
