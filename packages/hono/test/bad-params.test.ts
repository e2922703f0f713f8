import { describe, expect, it } from "vitest";
import { mountRoutes, problemOf, registerHeldTask, useCaches } from "./helpers.js";

const makeCache = useCaches();
const tooLong = "a".repeat(257);

describe("bad path and query parameters", () => {
  it.each([
    ["GET", `/refcache/tasks/${tooLong}`],
    ["GET", "/refcache/tasks/-starts-with-dash"],
    ["GET", "/refcache/tasks/has%20space"],
    ["GET", `/refcache/tasks/${tooLong}/events`],
    ["DELETE", `/refcache/tasks/${tooLong}`],
    ["DELETE", "/refcache/tasks/bad%2Fslash"],
    ["GET", `/refcache/refs/${tooLong}`],
    ["GET", "/refcache/refs/%C3%A9t%C3%A9"],
    ["GET", "/refcache/tasks?limit=0"],
    ["GET", "/refcache/tasks?limit=1001"],
    ["GET", "/refcache/tasks?limit=ten"],
    ["GET", "/refcache/tasks?limit=1.5"],
    ["GET", "/refcache/tasks?status=done"],
    ["GET", "/refcache/tasks?status="],
    ["GET", `/refcache/tasks?cursor=${"c".repeat(1025)}`],
    ["GET", "/refcache/tasks?cursor="],
  ])("%s %s answers 400 with the issues", async (method, path) => {
    const app = mountRoutes(makeCache());
    const response = await app.request(path, { method });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({
      code: "VALIDATION_ERROR",
      status: 400,
      type: "urn:mcp-refcache:problem:validation-error",
    });
    // Refused by the route's validator (issue paths name the parameter), before any core call.
    const issues = problem.issues as { path: string[] }[];
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.path[0]).toBe(path.includes("?") ? "query" : "param");
  });

  it("a cursor the store never issued answers 400", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    await registerHeldTask(cache, "real");
    const response = await app.request("/refcache/tasks?cursor=not-a-real-cursor");
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({ code: "VALIDATION_ERROR" });
  });

  it("a rejected DELETE changes nothing", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const held = await registerHeldTask(cache, "keep-me");
    const response = await app.request(`/refcache/tasks/keep-me%20${tooLong}`, { method: "DELETE" });
    expect(response.status).toBe(400);
    expect(held.aborted()).toBe(false);
    expect(await cache.getTask("keep-me")).toMatchObject({ status: expect.stringMatching(/pending|processing/) });
  });
});
