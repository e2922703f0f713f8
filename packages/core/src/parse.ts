/**
 * Parsing at the boundaries: `parseOrThrow` (zod, throwing a ValidationError) and the hand-written fast
 * paths (`withFastPath`, `optionalFields`) it tries first. Depends only on errors.ts; schemas register
 * their fast path when their file loads.
 */
import type * as z from "zod";
import { errorMessage, ValidationError } from "./errors.js";

/** What a fast path returns when it leaves the input to the schema. */
export const SLOW: unique symbol = Symbol("slow path");
type FastParser = (value: unknown) => unknown;
const fastParsers = new WeakMap<z.ZodType, FastParser>();

/**
 * Gives `schema` a hand-written check for its common, valid inputs, which `parseOrThrow` tries first:
 * zod costs microseconds a call on paths every task takes several times. `fast` must accept only what
 * the schema accepts and return what it would; anything else it hands to the schema (returning SLOW),
 * which then also words the error.
 */
export function withFastPath<S extends z.ZodType>(schema: S, fast: (value: unknown) => z.output<S> | typeof SLOW): S {
  fastParsers.set(schema, fast);
  return schema;
}

/** The fast path given to `schema` with `withFastPath`, if any (for tests that hold it to the schema). */
export function fastPathOf(schema: z.ZodType): ((value: unknown) => unknown) | undefined {
  return fastParsers.get(schema);
}

/**
 * A fast path for a strict object of optional fields: a plain object holding only `fields`, each absent or
 * passing its check, comes back as a new object with the fields present.
 */
export function optionalFields<T extends object>(
  fields: Record<string, (value: unknown) => boolean>,
): (value: unknown) => T | typeof SLOW {
  // No prototype: a key such as "toString" must not find Object.prototype's.
  const checks: Record<string, (value: unknown) => boolean> = Object.assign(Object.create(null), fields);
  return (value) => {
    if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return SLOW;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    // for…in sees own enumerable keys (and enumerable ones added to Object.prototype, which are refused).
    for (const key in input) {
      const check = checks[key];
      if (check === undefined) return SLOW;
      const field = input[key];
      if (field === undefined || !check(field)) return SLOW;
      out[key] = field;
    }
    return out as T;
  };
}

/** Parses `value` with `schema`, throwing a ValidationError that names `what` on failure. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  refId?: string,
): z.output<S> {
  let refusal: ValidationError;
  try {
    const fast = fastParsers.get(schema);
    if (fast !== undefined) {
      const parsed = fast(value);
      if (parsed !== SLOW) return parsed as z.output<S>;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data as z.output<S>;
    refusal = new ValidationError(what, result.error.issues, refId);
  } catch (error) {
    // An input that throws when read (a getter, a Proxy's trap) is bad input like any other.
    refusal = ValidationError.single(what, `${what} could not be read: ${errorMessage(error)}`, "custom", refId);
  }
  throw refusal;
}

/** Whether `v` is an object with a function under each of `methods` (a duck-typed check of an option). */
export function hasMethods(v: unknown, methods: readonly string[]): boolean {
  return (
    typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function")
  );
}
