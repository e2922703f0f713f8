/**
 * References as tool inputs: a parameter a tool opts in accepts its own type or `{ refId, path? }`, and
 * `resolveRefs` swaps each such reference for the stored value (or the part a JSON Pointer names) on the
 * server, before the handler runs, so a large value goes from one tool to the next without passing through
 * the model. Only opted-in parameters are ever resolved, and only an object of exactly the reference shape:
 * a string that looks like an id (`"git:deadbeefcafe"`) stays a string. A resolved value is never scanned
 * for further references (resolution is one read per reference, bounded by the value's size).
 */
import * as z from "zod";
import { ReferenceUnavailableError, ValidationError, type ValidationIssue } from "../errors.js";
import { type CacheEntryInfo, REF_ID_MAX_LENGTH, RefIdSchema } from "../models.js";
import { parseOrThrow } from "../parse.js";
import { isJsonPointer, JSON_POINTER_MAX_LENGTH, resolveJsonPointer } from "./json-pointer.js";

/** `{ refId, path? }`: a stored value passed to a tool in place of the value itself. */
export const ReferenceArgumentSchema = z
  .strictObject({
    refId: z
      .string()
      .min(1)
      .max(REF_ID_MAX_LENGTH)
      .describe("The refId an earlier tool call returned (its value is read on the server)"),
    path: z
      .string()
      .max(JSON_POINTER_MAX_LENGTH)
      .optional()
      .describe('A JSON Pointer (RFC 6901) to a part of the stored value, e.g. "/rows"; omit for the whole value'),
  })
  .describe(
    'A reference to a stored result instead of the value itself: { "refId": "<refId from an earlier answer>", ' +
      '"path": "/rows" }. The server reads it; the data never needs to pass through the conversation.',
  );
export type ReferenceArgument = z.output<typeof ReferenceArgumentSchema>;

/** The opted-in parameters of a tool: each name with the parameter's own schema (what a handler receives). */
export type ReferenceParameters = Readonly<Record<string, z.ZodType>>;

/** Whether `value` has exactly the reference shape: a plain object of `refId` (a string) and maybe `path`. */
export function isReferenceArgument(value: unknown): value is ReferenceArgument {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  const { refId, path } = value as { refId?: unknown; path?: unknown };
  if (typeof refId !== "string") return false;
  if (keys.length === 1) return true;
  return keys.length === 2 && (path === undefined || typeof path === "string") && Object.hasOwn(value, "path");
}

/**
 * A reference to a value of `schema`, or `schema` itself, for a tool's input schema: the JSON Schema a client
 * sees is an `anyOf` of both, the reference form described for the model. The reference form is tried first,
 * so an object of exactly its shape stays a reference: a `schema` that strips unknown keys (a `z.object` of
 * optional fields) or fills defaults would otherwise parse `{ refId }` as a value of its own, the reference
 * lost and the handler given `{}`. Takes zod 4 schemas (core's zod).
 */
export function referenceArgument<S extends z.ZodType>(schema: S): z.ZodUnion<[typeof ReferenceArgumentSchema, S]> {
  const union = z.union([ReferenceArgumentSchema, schema]);
  const own = schema.description;
  const note = "Pass the value itself, or a reference to a stored result: { refId, path? }.";
  return union.describe(own === undefined ? note : `${own} ${note}`) as z.ZodUnion<[typeof ReferenceArgumentSchema, S]>;
}

/**
 * A tool's input shape with the parameters named in `names` wrapped by `referenceArgument`, and the
 * `ReferenceParameters` for `resolveRefs`. Throws ValidationError for a name the shape does not have.
 */
export function referenceParameters(
  shape: Readonly<Record<string, z.ZodType>>,
  names: readonly string[],
): { shape: Record<string, z.ZodType>; parameters: ReferenceParameters } {
  const wrapped: Record<string, z.ZodType> = { ...shape };
  const parameters: Record<string, z.ZodType> = {};
  for (const name of names) {
    const own = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (own === undefined) {
      throw ValidationError.single("refParams", `"${name}" is not a parameter of the tool's input schema`, "custom");
    }
    parameters[name] = own;
    wrapped[name] = referenceArgument(own);
  }
  return { shape: wrapped, parameters };
}

/** A zod object schema, as far as wrapping its parameters needs. */
interface ObjectSchemaLike {
  shape: Record<string, z.ZodType>;
  extend(shape: Record<string, z.ZodType>): unknown;
}

const isObjectSchema = (v: unknown): v is ObjectSchemaLike =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { extend?: unknown }).extend === "function" &&
  typeof (v as { shape?: unknown }).shape === "object";

const isRawShape = (v: unknown): v is Record<string, z.ZodType> =>
  typeof v === "object" &&
  v !== null &&
  Object.values(v).every((field) => typeof (field as { safeParse?: unknown } | null)?.safeParse === "function");

/**
 * A tool's input schema — a zod object or a raw shape (what the MCP SDKs take) — with the parameters in
 * `names` accepting references, of the same kind as given, and the `ReferenceParameters` for `resolveRefs`.
 * Throws ValidationError when `names` is not empty and the schema is neither, or lacks a name.
 */
export function referenceInputSchema<S>(
  inputSchema: S,
  names: readonly string[],
): { inputSchema: S; parameters: ReferenceParameters } {
  if (isObjectSchema(inputSchema)) {
    const { shape, parameters } = referenceParameters(inputSchema.shape, names);
    const wrapped = Object.fromEntries(names.map((name) => [name, shape[name] as z.ZodType]));
    return { inputSchema: inputSchema.extend(wrapped) as S, parameters };
  }
  if (isRawShape(inputSchema)) {
    const { shape, parameters } = referenceParameters(inputSchema, names);
    return { inputSchema: shape as S, parameters };
  }
  throw ValidationError.single("refParams", "refParams needs an inputSchema that is a zod object or shape", "custom");
}

/**
 * The part of `RefCache` reference resolution uses: one read of the entry the owner may use by reference
 * (`isUsableBy`), the value decoded only once that is settled.
 */
export interface ReferenceCache {
  getReferenced(key: string, options?: { owner?: string }): Promise<(CacheEntryInfo & { value: unknown }) | undefined>;
}

export interface ResolveRefsOptions {
  /** The caller's owner scope (always set by an adapter); absent: server-side, every value is usable. */
  owner?: string | undefined;
  /**
   * Also check what nothing checked before (an HTTP body, say, where MCP has the SDK check the input
   * schema): `args` must be a JSON object, and each named parameter that holds a value, not a reference,
   * is validated by its schema (a missing one too: its schema decides whether it may be absent).
   */
  checkValues?: boolean | undefined;
  /**
   * What the arguments are called in a `checkValues` error: `Invalid <what>: …` (default `"arguments"`;
   * Hono says `"body"`). Each issue's `path` starts with the parameter's name.
   */
  what?: string | undefined;
}

async function resolveOne(
  cache: ReferenceCache,
  parameter: string,
  reference: ReferenceArgument,
  schema: z.ZodType,
  owner: string | undefined,
): Promise<unknown> {
  const { refId, path } = reference;
  // An id no value could have is refused with the same words as an unknown one.
  if (!RefIdSchema.safeParse(refId).success) throw new ReferenceUnavailableError(parameter, refId);
  // Unknown, expired, another owner's and a task without a result yet all read as "no entry" here, settled
  // on the bookkeeping: a value the caller may not use is neither checked nor decoded.
  const entry = await cache.getReferenced(refId, owner === undefined ? {} : { owner });
  if (entry === undefined) throw new ReferenceUnavailableError(parameter, refId);
  // An execute-only value's refusals say nothing of it: a zod issue can name its keys ("Unrecognized keys"),
  // its types or bounds, or quote it (a custom message), and which of path and schema failed tells its shape.
  const withheld = entry.executeOnly === true;
  let part: unknown;
  try {
    part = path === undefined ? entry.value : resolveJsonPointer(entry.value, path, refId);
  } catch (error) {
    // A pointer that is not one is the caller's own mistake, worded as such; one that does not resolve is not.
    if (withheld && isJsonPointer(path as string)) throw executeOnlyMismatch(parameter, refId);
    const detail = error instanceof Error ? error.message : String(error);
    throw ValidationError.single(parameter, `the reference's path does not resolve: ${detail}`, "invalid_value", refId);
  }
  // The value itself is checked as if it had been passed inline; it is never searched for references.
  const what = `argument "${parameter}" (the value under refId "${refId}")`;
  if (!withheld) return parseOrThrow(schema, part, what, refId);
  try {
    return parseOrThrow(schema, part, what, refId);
  } catch {
    throw executeOnlyMismatch(parameter, refId);
  }
}

/** The one refusal of an execute-only reference that does not fit its parameter: no detail of the value. */
function executeOnlyMismatch(parameter: string, refId: string): ValidationError {
  return ValidationError.single(
    parameter,
    `the execute-only value under refId "${refId}" does not fit this parameter (its path does not resolve, or ` +
      "the parameter's schema refuses it); no detail is given, as an execute-only value is never shown",
    "invalid_value",
    refId,
  );
}

/**
 * `args` with each opted-in parameter that holds a reference replaced by the stored value it names (the
 * part at `path`), read with the caller's owner scope and validated against the parameter's own schema.
 * Every other argument, and every string, is left as it is (unless `checkValues`, which validates the
 * named parameters that hold values too); a resolved value is not scanned again.
 *
 * Throws ReferenceUnavailableError (code `REFERENCE_UNAVAILABLE`) for a reference its caller may not use —
 * unknown, expired, another owner's, a task not completed — with one wording for all; ValidationError for a
 * path that is not a JSON Pointer or does not resolve, or a resolved value the parameter's schema refuses.
 * An execute-only value resolves: using it is what execute-only allows; should it not fit, the
 * ValidationError is one wording without the path's or the schema's detail, which could show the value.
 */
export async function resolveRefs<A>(
  cache: ReferenceCache,
  args: A,
  parameters: ReferenceParameters,
  options: ResolveRefsOptions = {},
): Promise<A> {
  if (options.checkValues === true) return resolveChecked(cache, args, parameters, options) as Promise<A>;
  if (typeof args !== "object" || args === null) return args;
  const input = args as Record<string, unknown>;
  const names = Object.keys(parameters).filter((name) => isReferenceArgument(input[name]));
  if (names.length === 0) return args;
  const values = await Promise.all(
    names.map((name) =>
      resolveOne(cache, name, input[name] as ReferenceArgument, parameters[name] as z.ZodType, options.owner),
    ),
  );
  const resolved: Record<string, unknown> = { ...input };
  names.forEach((name, i) => {
    resolved[name] = values[i];
  });
  return resolved as A;
}

/**
 * `resolveRefs` with `checkValues`: every named parameter checked, a reference or a value alike. The values
 * are checked first, all of them, in one ValidationError whose issues' paths start with the parameter's
 * name; references are read only for arguments whose values passed, and what they hold is refused the
 * same way (an unusable reference first, as ReferenceUnavailableError).
 */
async function resolveChecked(
  cache: ReferenceCache,
  args: unknown,
  parameters: ReferenceParameters,
  options: ResolveRefsOptions,
): Promise<Record<string, unknown>> {
  const what = options.what ?? "arguments";
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw ValidationError.single(what, `the ${what} must be a JSON object`, "invalid_type");
  }
  const input = args as Record<string, unknown>;
  const resolved: Record<string, unknown> = { ...input };
  const issues: ValidationIssue[] = [];
  const references: string[] = [];
  for (const name of Object.keys(parameters)) {
    const given = input[name];
    if (isReferenceArgument(given)) {
      references.push(name);
      continue;
    }
    try {
      const value = parseOrThrow(parameters[name] as z.ZodType, given, `argument "${name}"`);
      // An optional parameter left out stays out (its schema may give it a default instead).
      if (value !== undefined || Object.hasOwn(input, name)) resolved[name] = value;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...issuesUnder(name, error));
    }
  }
  if (issues.length > 0) throw new ValidationError(what, issues);
  const settled = await Promise.allSettled(
    references.map((name) =>
      resolveOne(cache, name, input[name] as ReferenceArgument, parameters[name] as z.ZodType, options.owner),
    ),
  );
  // A reference the caller may not use is told first; then every referenced value that does not fit, each
  // issue under its parameter's name as for a value given inline.
  const unusable = settled.find((s) => s.status === "rejected" && !(s.reason instanceof ValidationError));
  if (unusable !== undefined) throw (unusable as PromiseRejectedResult).reason;
  let refId: string | undefined;
  settled.forEach((outcome, i) => {
    const name = references[i] as string;
    if (outcome.status === "fulfilled") {
      resolved[name] = outcome.value;
      return;
    }
    const refusal = outcome.reason as ValidationError;
    refId ??= refusal.refId;
    issues.push(...issuesUnder(name, refusal));
  });
  if (issues.length > 0) throw new ValidationError(what, issues, refId);
  return resolved;
}

/** `refusal`'s issues with `parameter` before each path, as they stand in the arguments object. */
function issuesUnder(parameter: string, refusal: ValidationError): ValidationIssue[] {
  return refusal.issues.map((issue) => ({ ...issue, path: [parameter, ...issue.path] }));
}
