/**
 * The words a preview or a page uses where it leaves something out. Each says how much is left out and
 * where, so a model never takes a preview for the whole value. All are plain strings of ASCII and "…"
 * (which JSON does not escape), so their size is their length plus two quotes.
 */

/** Stands for an omitted run of array items, `from` to `to` (indexes, inclusive). */
export function arrayGapMarker(count: number, from: number, to: number): string {
  return `…${count} items omitted [${from}..${to}]`;
}

/** Ends a cut string: how many characters (UTF-16 code units) follow in the value. */
export function stringCutMarker(omitted: number): string {
  return `…[+${omitted} chars]`;
}

/** The value of an object's last, added key when keys were left out: how many follow in the value. */
export function objectRestMarker(count: number): string {
  return `${count} more keys omitted`;
}

/** The key of that entry: "…", made longer until it names no key of the object. */
export function objectRestKey(object: object): string {
  let key = "…";
  while (Object.hasOwn(object, key)) key += "…";
  return key;
}

/** Stands for a whole array, object or string too big to show any of. */
export function summaryMarker(value: unknown): string {
  if (Array.isArray(value)) return `[array: ${value.length} items]`;
  if (typeof value === "string") return `[string: ${value.length} chars]`;
  if (typeof value === "object" && value !== null) return `{object: ${Object.keys(value).length} keys}`;
  return "…";
}

/**
 * A budget (compact JSON characters) in which every value fits in some form: a number's text is at most
 * 24 characters and `summaryMarker` at most 28 (counts of up to ten digits).
 */
export const MIN_SHARE = 28;
