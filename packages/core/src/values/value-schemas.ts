/**
 * The options and answers of `cache.preview` and `cache.page`, as zod schemas: adapters parse a client's
 * input with the option schemas and may advertise the answers' shapes from the result schemas.
 */
import * as z from "zod";
import { isOwner, OwnerSchema } from "../models.js";
import { optionalFields, withFastPath } from "../parse.js";
import { CURSOR_MAX_LENGTH } from "./cursor.js";
import { JSON_POINTER_MAX_LENGTH, POINTER_TOO_LONG_MESSAGE } from "./json-pointer.js";
import type { PreviewResult } from "./preview.js";
import { MAX_MAX_CHARS, MaxCharsSchema, MIN_MAX_CHARS } from "./value-budget.js";

/*
 * Fast paths (see `withFastPath`): a client pages a value in hundreds of calls. Each check is at least as
 * strict as its schema; whatever it refuses, zod decides and words.
 */
const isMaxChars = (v: unknown) =>
  Number.isSafeInteger(v) && (v as number) >= MIN_MAX_CHARS && (v as number) <= MAX_MAX_CHARS;
const isCursor = (v: unknown) => typeof v === "string" && v.length <= CURSOR_MAX_LENGTH;
const isPath = (v: unknown) => typeof v === "string" && v.length <= JSON_POINTER_MAX_LENGTH;

export const PreviewOptionsSchema = withFastPath(
  z.strictObject({
    /** Budget (≥ 64); default the cache's `valueBudget.maxChars`. */
    maxChars: MaxCharsSchema.optional(),
    /** Only a value stored with this owner (or with none) is visible. */
    owner: OwnerSchema.optional(),
  }),
  optionalFields({ maxChars: isMaxChars, owner: isOwner }),
);
export type PreviewOptions = z.input<typeof PreviewOptionsSchema>;

export const PageOptionsSchema = withFastPath(
  z.strictObject({
    /** A `nextCursor` of an earlier page of the same value. */
    cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
    /** JSON Pointer (RFC 6901) of the part to page; default `""` (the whole value) or the cursor's. */
    path: z.string().max(JSON_POINTER_MAX_LENGTH, POINTER_TOO_LONG_MESSAGE).optional(),
    /** Budget of the page (≥ 64); default the cache's `valueBudget.maxChars`. */
    maxChars: MaxCharsSchema.optional(),
    /** Only a value stored with this owner (or with none) is visible. */
    owner: OwnerSchema.optional(),
  }),
  optionalFields({ cursor: isCursor, path: isPath, maxChars: isMaxChars, owner: isOwner }),
);
export type PageOptions = z.input<typeof PageOptionsSchema>;

/** A preview of the value stored under `refId` (see `previewValue`). */
export interface ValuePreview extends PreviewResult {
  refId: string;
  /** The budget the preview was made for. */
  maxChars: number;
  /** Version of the stored value (changes on every write). */
  version: string;
}

export const ValuePreviewSchema = z.object({
  refId: z.string(),
  preview: z.unknown(),
  complete: z.boolean(),
  chars: z.number().int().nonnegative(),
  totalChars: z.number().int().nonnegative(),
  maxChars: z.number().int().positive(),
  version: z.string(),
});

export const ValuePageSchema = z.object({
  refId: z.string(),
  path: z.string(),
  value: z.unknown(),
  offset: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  nextCursor: z.string().optional(),
  partial: z.array(z.string()).optional(),
  partialCursors: z.array(z.string()).optional(),
  chars: z.number().int().nonnegative(),
  version: z.string(),
});
