/**
 * Query parameters of the value routes: `GET /refs/:refId?cursor=&path=&maxChars=` (a page) and
 * `GET /refs/:refId/preview?maxChars=`. Only their form is checked here; core checks what they mean (a
 * cursor of this value's version, a pointer that resolves) and answers VALIDATION_ERROR otherwise.
 */
import { ASKED_MAX_CHARS_TEXT } from "@mcp-refcache/core";
import { validator } from "hono/validator";
import * as z from "zod";
import { parseParams } from "./params.js";

/** One value per key: a repeated `cursor` or `maxChars` is a mistake, not a list. */
const single = (name: string) =>
  z.union([z.string(), z.array(z.string())]).refine((raw) => !Array.isArray(raw), `${name} must be given once`);

/** No length limit here: core's own (page options) applies, so a cursor core hands out always comes back. */
const text = (name: string, min: number) => single(name).pipe(z.string().min(min, `${name} must not be empty`));

const maxChars = single("maxChars").pipe(
  z
    .string()
    // Any size: one past the server's budget is capped at it (core's AskedMaxCharsSchema).
    .regex(ASKED_MAX_CHARS_TEXT, "maxChars must be a whole number")
    .transform(Number),
);

/**
 * `?cursor=` (opaque, from `nextCursor` or the `Link` header), `?path=` (an RFC 6901 JSON Pointer; `""`
 * is the whole value), `?maxChars=` (capped at the server's budget by core).
 */
export const ValuePageQuerySchema = z.object({
  cursor: text("cursor", 1).optional(),
  path: text("path", 0).optional(),
  maxChars: maxChars.optional(),
});
export type ValuePageQuery = z.output<typeof ValuePageQuerySchema>;

/** `?maxChars=` of the preview route. */
export const ValuePreviewQuerySchema = z.object({ maxChars: maxChars.optional() });
export type ValuePreviewQuery = z.output<typeof ValuePreviewQuerySchema>;

/** True when the request asks for a page rather than the whole value. */
export const asksForPage = (query: ValuePageQuery): boolean =>
  query.cursor !== undefined || query.path !== undefined || query.maxChars !== undefined;

export const valuePageQuery = validator("query", (value) => parseParams(ValuePageQuerySchema, value, "query"));
export const valuePreviewQuery = validator("query", (value) => parseParams(ValuePreviewQuerySchema, value, "query"));
