import {
  CacheClosedError,
  clientMessage,
  ErrorCode,
  ForbiddenError,
  IllegalTransitionError,
  KeyOwnedByTaskError,
  MemoryStore,
  StaleRunError,
  StoreError,
  TaskAlreadyActiveError,
  TaskNotCompletedError,
  TaskNotFoundError,
  TooManyTasksError,
  ValidationError,
} from "@mcp-refcache/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { PROBLEM_KINDS, withTimeoutFallback } from "../src/index.js";
import { problemFromError } from "../src/problem.js";
import { mountRoutes, problemOf, registerHeldTask, useCaches } from "./helpers.js";

const makeCache = useCaches();

/** A value store whose backend is down: every call rejects. */
class UnreachableStore extends MemoryStore {
  override async get(): Promise<never> {
    throw new Error("connection refused");
  }
  override async stat(): Promise<never> {
    throw new Error("connection refused");
  }
}

describe("the problem table", () => {
  it.each([
    [new ValidationError("input", [{ path: ["a"], message: "bad", code: "custom" }]), 400],
    [new TaskNotFoundError("x"), 404],
    [new TaskAlreadyActiveError("x", "processing"), 409],
    [new IllegalTransitionError("x", "complete", "cancelled"), 409],
    [new KeyOwnedByTaskError("x"), 409],
    [new StaleRunError("x", "run-1"), 409],
    [new TaskNotCompletedError("x", "cancelled", "by someone"), 409],
    [new TooManyTasksError("x", 10), 429],
    [new StoreError("down", "x", new Error("cause")), 503],
    [new CacheClosedError("c"), 503],
    [new ForbiddenError("the anonymous owner cannot list"), 403],
  ])("maps %s to its status", async (error, status) => {
    const response = problemFromError(error, "/here", 7);
    expect(response.status).toBe(status);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ status, code: error.code, detail: clientMessage(error), instance: "/here" });
    expect(problem.title).toBe(PROBLEM_KINDS[error.code as keyof typeof PROBLEM_KINDS].title);
    expect(response.headers.get("retry-after")).toBe(status === 503 || status === 429 ? "7" : null);
  });

  it("has a row for every code core can throw", () => {
    for (const code of Object.values(ErrorCode)) expect(PROBLEM_KINDS).toHaveProperty(code);
  });

  it("answers 500 for an unexpected error without leaking its message", async () => {
    const response = problemFromError(new Error("password=hunter2"), "/here");
    expect(response.status).toBe(500);
    const problem = await problemOf(response);
    expect(problem.code).toBe("INTERNAL_ERROR");
    expect(JSON.stringify(problem)).not.toContain("hunter2");
  });

  it("includes the zod issues of a validation error", async () => {
    const problem = await problemOf(
      problemFromError(new ValidationError("x", [{ path: ["p"], message: "m", code: "c" }]), "/"),
    );
    expect(problem.issues).toEqual([{ path: ["p"], message: "m", code: "c" }]);
  });
});

describe("statuses through real requests", () => {
  it("429 with Retry-After when the cache is at its active-task limit", async () => {
    const cache = makeCache({ maxActiveTasks: 1 });
    await registerHeldTask(cache, "busy");
    const app = new Hono();
    app.post(
      "/work",
      withTimeoutFallback(cache, { timeoutMs: 0, retryAfterSeconds: 9 }, () => "never"),
    );
    const response = await app.request("/work", { method: "POST" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("9");
    expect(await problemOf(response)).toMatchObject({ code: "CAPACITY_EXCEEDED" });
    expect(await cache.queryTasks({})).toMatchObject({ tasks: [{ refId: "busy" }] });
  });

  it("503 with Retry-After when the store is down", async () => {
    const cache = makeCache({ store: new UnreachableStore() });
    const response = await mountRoutes(cache).request("/refcache/refs/anything");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    const problem = await problemOf(response);
    // The store's own words (hosts, limits) are the server's: the client is told the store failed.
    expect(problem).toMatchObject({ code: "STORE_ERROR", detail: 'The store failed for "anything"' });
    expect(JSON.stringify(problem)).not.toContain("connection refused");
  });

  it("503 once the cache is closed", async () => {
    const cache = makeCache();
    await cache.close();
    const response = await mountRoutes(cache).request("/refcache/tasks/any");
    expect(response.status).toBe(503);
    expect(await problemOf(response)).toMatchObject({ code: "CACHE_CLOSED" });
  });
});
