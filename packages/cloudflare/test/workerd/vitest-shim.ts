/**
 * What `vitest` means inside workerd: the test files bundled for workerd import `describe`, `it` and
 * `expect` from here (esbuild aliases `vitest` to this file). `describe`/`it` only collect tests, which the
 * test Worker runs one at a time when the vitest process outside asks; `expect` is vitest's own
 * (`@vitest/expect` on chai), so the conformance suite asserts exactly as it does under vitest.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  chai,
  GLOBAL_EXPECT,
  getState,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
} from "@vitest/expect";
import type { ExpectStatic } from "vitest";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = ((value: unknown, message?: string) => {
  const state = getState(expect as never) as { assertionCalls?: number } | undefined;
  setState({ assertionCalls: (state?.assertionCalls ?? 0) + 1 }, expect as never);
  return chai.expect(value, message);
}) as unknown as ExpectStatic;
Object.assign(expect, chai.expect);
Object.assign(expect, (globalThis as Record<PropertyKey, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, currentTestName: "" }, expect as never);
(globalThis as Record<PropertyKey, unknown>)[GLOBAL_EXPECT] = expect;

export type TestBody = () => unknown | Promise<unknown>;

/** Every collected test, by its full name (describe names and its own, joined by " > "). */
export const collected = new Map<string, TestBody>();
const prefixes: string[] = [];

export function describe(name: string, body: () => void): void {
  prefixes.push(name);
  try {
    body();
  } finally {
    prefixes.pop();
  }
}

export function it(name: string, body: TestBody): void {
  const full = [...prefixes, name].join(" > ");
  if (collected.has(full)) throw new Error(`two tests are named "${full}"`);
  collected.set(full, body);
}
it.skip = (_name: string, _body: TestBody): void => {};
describe.skip = (_name: string, _body: () => void): void => {};

export const test = it;
export const beforeAll = (): void => {
  throw new Error("beforeAll is not supported inside workerd: set up in each test");
};
