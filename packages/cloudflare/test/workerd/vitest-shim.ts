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

/** A describe block: its hooks, and how many of its tests are left to run (for afterAll). */
interface Scope {
  beforeAll: TestBody[];
  afterAll: TestBody[];
  beforeEach: TestBody[];
  afterEach: TestBody[];
  ranBeforeAll: boolean;
  testsLeft: number;
}

const newScope = (): Scope => ({
  beforeAll: [],
  afterAll: [],
  beforeEach: [],
  afterEach: [],
  ranBeforeAll: false,
  testsLeft: 0,
});

/** Every collected test, by its full name (describe names and its own, joined by " > "), with its hooks. */
export const collected = new Map<string, TestBody>();
const names: string[] = [];
const scopes: Scope[] = [newScope()];

const current = (): Scope => scopes[scopes.length - 1] as Scope;

export function describe(name: string, body: () => void): void {
  names.push(name);
  scopes.push(newScope());
  try {
    body();
  } finally {
    names.pop();
    scopes.pop();
  }
}

export function it(name: string, body: TestBody, _timeoutMs?: number): void {
  const full = [...names, name].join(" > ");
  if (collected.has(full)) throw new Error(`two tests are named "${full}"`);
  const chain = [...scopes];
  for (const scope of chain) scope.testsLeft++;
  collected.set(full, async () => {
    for (const scope of chain) {
      if (!scope.ranBeforeAll) {
        scope.ranBeforeAll = true;
        for (const hook of scope.beforeAll) await hook();
      }
    }
    for (const scope of chain) for (const hook of scope.beforeEach) await hook();
    try {
      await body();
    } finally {
      for (const scope of [...chain].reverse()) for (const hook of scope.afterEach) await hook();
      for (const scope of [...chain].reverse()) {
        if (--scope.testsLeft === 0) for (const hook of scope.afterAll) await hook();
      }
    }
  });
}

const skipped = (_name: string, _body: unknown): void => {};
it.skip = skipped;
it.skipIf = (condition: unknown) => (condition ? skipped : it);
it.runIf = (condition: unknown) => (condition ? it : skipped);
describe.skip = skipped;
describe.skipIf = (condition: unknown) => (condition ? skipped : describe);
describe.runIf = (condition: unknown) => (condition ? describe : skipped);

export const test = it;
export const beforeAll = (hook: TestBody): void => void current().beforeAll.push(hook);
export const afterAll = (hook: TestBody): void => void current().afterAll.push(hook);
export const beforeEach = (hook: TestBody): void => void current().beforeEach.push(hook);
export const afterEach = (hook: TestBody): void => void current().afterEach.push(hook);
