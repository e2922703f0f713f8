/**
 * The one table from core's error codes to JSON-RPC codes that both MCP adapters answer with: total over
 * `ErrorCode`, the caller's fault → -32602, the server's → -32603, and core's code kept in `data`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CacheClosedError,
  ErrorCode,
  ForbiddenError,
  RefCache,
  RefCacheError,
  StoreError,
  TaskNotFoundError,
  ValidationError,
} from "../src/index.js";
import {
  INTERNAL_ERROR_CODE,
  INVALID_PARAMS_ERROR_CODE,
  JSON_RPC_ERROR_CODES,
  toJsonRpcError,
  toolErrorFromException,
} from "../src/mcp/index.js";
import { until } from "./helpers.js";

/** What the SDK v2 adapter's own table answered before it moved here: the behaviour both adapters keep. */
const EXPECTED: Record<ErrorCode, number> = {
  VALIDATION_ERROR: -32602,
  TASK_NOT_FOUND: -32602,
  TASK_ALREADY_ACTIVE: -32602,
  ILLEGAL_TRANSITION: -32602,
  KEY_OWNED_BY_TASK: -32602,
  TASK_NOT_COMPLETED: -32602,
  STALE_RUN: -32603,
  CAPACITY_EXCEEDED: -32603,
  STORE_ERROR: -32603,
  CACHE_CLOSED: -32603,
  FORBIDDEN: -32602,
  REFERENCE_UNAVAILABLE: -32602,
  EXECUTE_ONLY: -32602,
};

const ALL_CODES = Object.values(ErrorCode);

describe("JSON_RPC_ERROR_CODES", () => {
  it("uses JSON-RPC 2.0's codes", () => {
    expect(INVALID_PARAMS_ERROR_CODE).toBe(-32602);
    expect(INTERNAL_ERROR_CODE).toBe(-32603);
  });

  it("maps every ErrorCode, and nothing else, to -32602 or -32603", () => {
    expect(Object.keys(JSON_RPC_ERROR_CODES).sort()).toEqual([...ALL_CODES].sort());
    for (const code of ALL_CODES) expect([-32602, -32603]).toContain(JSON_RPC_ERROR_CODES[code]);
  });

  it("answers each code as the SDK v2 adapter did: the caller's fault -32602, the server's -32603", () => {
    expect({ ...JSON_RPC_ERROR_CODES }).toEqual(EXPECTED);
  });

  it("cannot be changed at run time", () => {
    try {
      (JSON_RPC_ERROR_CODES as Record<string, number>).STORE_ERROR = -32602;
    } catch {
      // refused: the point
    }
    expect(JSON_RPC_ERROR_CODES.STORE_ERROR).toBe(-32603);
  });
});

describe("toJsonRpcError", () => {
  it("gives every core error its table code, its message and its ErrorCode in data", () => {
    for (const code of ALL_CODES) {
      const error = new RefCacheError(code, `failed with ${code}`);
      expect(toJsonRpcError(error)).toEqual({
        code: EXPECTED[code],
        message: `failed with ${code}`,
        data: { code },
      });
    }
  });

  it("maps the errors core throws as they are thrown", async () => {
    expect(toJsonRpcError(new StoreError("Redis is down", "tools:a", new Error("ECONNREFUSED")))).toEqual({
      code: -32603,
      message: 'The store failed for "tools:a"',
      data: { code: "STORE_ERROR" },
    });
    expect(toJsonRpcError(new CacheClosedError("main"))).toMatchObject({
      code: -32603,
      data: { code: "CACHE_CLOSED" },
    });
    expect(toJsonRpcError(new TaskNotFoundError("tools:a"))).toMatchObject({ code: -32602 });
    expect(toJsonRpcError(new ForbiddenError("not yours"))).toMatchObject({ code: -32602 });
    expect(toJsonRpcError(ValidationError.single("cursor", "bad", "custom"))).toMatchObject({
      code: -32602,
      data: { code: "VALIDATION_ERROR" },
    });

    const cache = new RefCache({ name: "closed" });
    await cache.close();
    const thrown = await cache.get("tools:a").catch((error: unknown) => error);
    expect(toJsonRpcError(thrown)).toEqual({
      code: -32603,
      message: 'RefCache "closed" is closed',
      data: { code: "CACHE_CLOSED" },
    });
  });

  it("maps a core error of another copy of the library by its brand", () => {
    const foreign = Object.assign(new Error("store down"), { code: "STORE_ERROR" });
    Object.defineProperty(foreign, Symbol.for("mcp-refcache.error"), { value: true });
    expect(toJsonRpcError(foreign)).toEqual({ code: -32603, message: "store down", data: { code: "STORE_ERROR" } });
  });

  it("tells a client only that the store failed, never what the store's driver said (hosts, limits)", async () => {
    const down = new RefCache({
      store: {
        get: () => Promise.reject(new Error("connect ECONNREFUSED 10.0.0.7:6379")),
        set: () => Promise.resolve(),
        delete: () => Promise.resolve(false),
      },
    });
    const thrown = await down.get("tools:a").catch((error: unknown) => error);
    // The server keeps the whole error.
    expect(thrown).toMatchObject({ code: "STORE_ERROR", message: expect.stringContaining("10.0.0.7") });
    expect(toJsonRpcError(thrown)).toEqual({
      code: -32603,
      message: 'The store failed for "tools:a"',
      data: { code: "STORE_ERROR" },
    });
    const answer = toolErrorFromException(thrown, "tools:a");
    expect(JSON.stringify(answer)).not.toContain("10.0.0.7");
    expect(answer.structuredContent).toMatchObject({ error: { kind: "unavailable" } });
    // A store failure the work itself met ends its task with the same words, which clients read.
    const cache = new RefCache();
    await cache.registerTask("job", async () => {
      throw new StoreError('Store failed for "src": connect ECONNREFUSED 10.0.0.7:6379', "src", new Error("refused"));
    });
    await until(() => cache.getTaskStatus("job")?.status === "failed");
    expect(cache.getTaskStatus("job")?.error).toBe('The store failed for "src"');
    // So does a worker that passes the store failure it met to failTask.
    await cache.registerTask("worker", {});
    await cache.failTask("worker", new StoreError("Store failed: 10.0.0.7:6379 refused", "src", new Error("refused")));
    expect(cache.getTaskStatus("worker")?.error).toBe('The store failed for "src"');
    await cache.close();
    // Core's own words about a damaged entry are the client's to read.
    const damaged = new StoreError('The value in the store under refId "x" is not JSON text', "x", undefined);
    expect(toJsonRpcError(damaged).message).toBe(damaged.message);
    await down.close();
  });

  it("answers an error with a code this copy of core does not know (a newer copy's) -32603, as any other", () => {
    const newer = Object.assign(new Error("new kind"), { code: "SOME_NEW_CODE" });
    Object.defineProperty(newer, Symbol.for("mcp-refcache.error"), { value: true });
    // isInstance trusts only codes it knows, so the table is never asked for one it lacks.
    expect(toJsonRpcError(newer)).toEqual({ code: -32603, message: "new kind" });
  });

  it("answers anything else -32603 with its message and no data", () => {
    expect(toJsonRpcError(new Error("boom"))).toEqual({ code: -32603, message: "boom" });
    expect(toJsonRpcError("plain text")).toEqual({ code: -32603, message: "plain text" });
    // A look-alike without the brand is not a core error: its code is not trusted.
    expect(toJsonRpcError({ code: "VALIDATION_ERROR", message: "x" })).toMatchObject({ code: -32603 });
    expect(toJsonRpcError({ code: "VALIDATION_ERROR", message: "x" })).not.toHaveProperty("data");
  });

  it("never throws and always answers -32602 or -32603 with a string message, for any thrown value", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.constantFrom(...ALL_CODES).map((c) => new RefCacheError(c, "m")),
        ),
        (x) => {
          const answer = toJsonRpcError(x);
          expect([-32602, -32603]).toContain(answer.code);
          expect(typeof answer.message).toBe("string");
        },
      ),
    );
  });
});
