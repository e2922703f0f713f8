/**
 * fast-check arbitraries of JSON values as this library stores them: deep, wide, unicode with astral
 * characters and lone surrogates (JSON.stringify escapes them, JSON.parse gives them back), escapes,
 * huge strings, empty containers, keys such as "__proto__" and "…", numbers without -0.
 */
import fc from "fast-check";

const codeUnit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("a", "b", "z", " ", "0", "é", "中") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom("😀", "𝄞", '"', "\\", "\n", "\u0001", "\u2028", "…") },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

const shortString = fc.string({ unit: codeUnit, maxLength: 20 });

export const jsonString = fc.oneof(
  { weight: 12, arbitrary: shortString },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 600 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 30_000 }), fc.string({ unit: codeUnit, minLength: 1, maxLength: 3 }))
      .map(([n, piece]) => piece.repeat(Math.ceil(n / piece.length))),
  },
);

const jsonKey = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: codeUnit, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "…", "", "0", "10", "a/b", "~1", "constructor") },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, minLength: 60, maxLength: 200 }) },
);

const jsonNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
);

/** An object from entries, "__proto__" as an own key (as JSON.parse makes it). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Nested values whose strings come from `strings`. */
function nestedOf(strings: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      strings,
      jsonNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 8 }),
      fc.array(fc.tuple(jsonKey, tie("value")), { maxLength: 8 }).map(objectOf),
    ),
  })).value;
}

const nested = nestedOf(jsonString);

/** A wide array of small items (a table). */
const wide = fc
  .tuple(fc.integer({ min: 50, max: 3_000 }), fc.array(nestedOf(shortString), { minLength: 1, maxLength: 3 }))
  .map(([n, items]) => Array.from({ length: n }, (_, i) => ({ id: i, item: items[i % items.length] })));

/** A value at the bottom of a deep nest of arrays and objects. */
const deep = fc
  .tuple(fc.integer({ min: 20, max: 150 }), nested, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }))
  .map(([depth, inner, kinds]) => {
    let value = inner;
    for (let d = 0; d < depth; d++) value = kinds[d % kinds.length] ? [value, d] : { d, value };
    return value;
  });

/** Any JSON value, normalised through JSON (so it is exactly what a store gives back). */
export const jsonValue = fc
  .oneof({ weight: 6, arbitrary: nested }, { weight: 2, arbitrary: wide }, { weight: 1, arbitrary: deep })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** Budgets from the smallest allowed to 100,000, small ones often. */
export const budget = fc.oneof(fc.integer({ min: 64, max: 400 }), fc.integer({ min: 64, max: 100_000 }));

/**
 * The most pages one property run reads of a whole value. The value arbitraries reach several MB, and
 * paging 5 MB at 94 characters is 57,000 pages: one such run took seconds, and a seed with a few of them
 * ran past the test's timeout on a loaded CI machine. A large value gets a budget large enough to stay
 * under this; small values keep every budget. Volume is the 10 MB paging tests' and the bench's job.
 */
export const MAX_PAGES_PER_RUN = 1_000;

/**
 * `maxChars` raised so that `value` takes at most MAX_PAGES_PER_RUN pages of its budget; `charsPerUnit`
 * is how many characters one unit of a custom measure stands for (tokens: about 3).
 */
export function boundedBudget(value: unknown, maxChars: number, charsPerUnit = 1): number {
  return Math.max(maxChars, Math.ceil(JSON.stringify(value).length / charsPerUnit / MAX_PAGES_PER_RUN));
}

/**
 * Values nested under keys of up to 12,000 characters of any kind (astral, lone surrogates, `~` and `/`
 * that a pointer escapes), so the pointers of their parts run past JSON_POINTER_MAX_LENGTH.
 */
const longKey = fc
  .tuple(fc.integer({ min: 2_000, max: 12_000 }), fc.constantFrom("k", "中", "😀", "\ud800", "~/", '"'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));
export const jsonUnderLongKeys: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.string({ minLength: 0, maxLength: 3_000 }),
    fc.integer(),
    fc.array(tie("value"), { maxLength: 4 }),
    tie("object"),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(longKey, fc.constantFrom("a", "0", "10", "")), tie("value")), {
      minLength: 1,
      maxLength: 3,
    })
    .map((entries) => Object.fromEntries(entries)),
})).object;
