/**
 * A value whose parts sit under keys of every kind that has broken paging: a key longer than a page, one
 * past `JSON_POINTER_MAX_LENGTH` (8,192: reached by cursor alone), a lone surrogate (which UTF-8 cannot
 * carry), URL-special characters and the two a JSON Pointer escapes, an astral character, accented text.
 * An adapter's test pages it back through its own transport and compares it whole. A fresh copy each call.
 */
export function oddKeysValue(): Record<string, unknown> {
  const items = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-xxxxxxxxxx`);
  return {
    ["k".repeat(600)]: items(40, "long"),
    "\ud800lone": items(40, "surr"),
    "a/b~c%d+e&f=g#h?i j": items(40, "odd"),
    "😀": { "\udc00": items(30, "deep"), x: "y".repeat(500) },
    ["é".repeat(300)]: items(30, "accent"),
    plain: items(30, "plain"),
    ["k".repeat(9000)]: items(20, "huge"),
  };
}
