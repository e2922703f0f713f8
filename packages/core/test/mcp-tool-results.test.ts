import { describe, expect, it } from "vitest";
import { IllegalTransitionError, type TaskInfo, TaskNotFoundError, ValidationError } from "../src/index.js";
import {
  CancelTaskInputSchema,
  cancelledToolResult,
  DEFAULT_POLLING_TOOL_NAMES,
  GetCachedResultInputSchema,
  GetTaskStatusInputSchema,
  PollingToolNamesSchema,
  pendingToolResult,
  pollingToolDefinitions,
  taskOutcomeToolResult,
  taskStatusToolResult,
  toolErrorFromException,
  toolErrorResult,
  valueToolResult,
} from "../src/mcp/index.js";
import { toStructuredContent } from "../src/mcp/tool-results.js";

const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);
const task = (overrides: Partial<TaskInfo> = {}) =>
  ({ refId: "r1", status: "processing", startedAt: T0, updatedAt: T0, retryCount: 0, ...overrides }) as TaskInfo;
const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((c) => c.text ?? "").join("\n");

describe("polling tool inputs", () => {
  it("accept a valid refId and reject missing, ill-typed, huge or extra fields with a message", () => {
    for (const schema of [GetTaskStatusInputSchema, GetCachedResultInputSchema, CancelTaskInputSchema]) {
      expect(schema.parse({ refId: "tools:abc-1" })).toEqual({ refId: "tools:abc-1" });
      expect(schema.safeParse({}).success).toBe(false);
      expect(schema.safeParse({ refId: 42 }).success).toBe(false);
      const huge = schema.safeParse({ refId: "a".repeat(100_000) });
      expect(huge.success).toBe(false);
      expect(huge.error?.issues[0]?.message).toContain("at most 256");
      expect(schema.safeParse({ refId: "r", page: 2 }).success).toBe(false);
    }
  });

  it("have default names that can be overridden but must stay distinct and valid", () => {
    expect(PollingToolNamesSchema.parse(undefined)).toEqual(DEFAULT_POLLING_TOOL_NAMES);
    expect(PollingToolNamesSchema.parse({ status: "poll" })).toEqual({ ...DEFAULT_POLLING_TOOL_NAMES, status: "poll" });
    expect(PollingToolNamesSchema.safeParse({ status: "cancel_task" }).success).toBe(false);
    expect(PollingToolNamesSchema.safeParse({ result: "has space" }).success).toBe(false);
    const defs = pollingToolDefinitions({ status: "s", result: "r", cancel: "c" });
    expect([defs.status.name, defs.result.name, defs.cancel.name]).toEqual(["s", "r", "c"]);
    expect(defs.status.description).toContain("call r");
  });
});

describe("tool results", () => {
  it("answer a value inline as structuredContent and text; non-objects are wrapped in { value }", () => {
    expect(valueToolResult({ a: 1 })).toEqual({
      content: [{ type: "text", text: '{"a":1}' }],
      structuredContent: { a: 1 },
    });
    expect(valueToolResult("plain")).toEqual({
      content: [{ type: "text", text: "plain" }],
      structuredContent: { value: "plain" },
    });
    expect(toStructuredContent([1, 2])).toEqual({ value: [1, 2] });
    expect(toStructuredContent(null)).toEqual({ value: null });
  });

  it("answer slow work with a pending reference that names the tools to call next", () => {
    const progress = { current: 1, total: 4, percentage: 25 };
    const result = pendingToolResult(task({ progress }), { pollIntervalMs: 2000 });
    expect(result.structuredContent).toEqual({ refId: "r1", status: "working", progress, pollIntervalMs: 2000 });
    expect(result.isError).toBeUndefined();
    expect(text(result)).toContain('get_task_status with {"refId":"r1"} in about 2 s');
    expect(text(result)).toContain("get_cached_result");
    const renamed = pendingToolResult(task(), {
      pollIntervalMs: 10,
      names: { status: "poll", result: "fetch", cancel: "stop" },
    });
    expect(text(renamed)).toMatch(/Call poll .* call fetch .* stop/);
    expect(renamed.structuredContent).not.toHaveProperty("progress");
  });

  it("report status per state with the next step in text", () => {
    const working = taskStatusToolResult(task(), { pollIntervalMs: 500 });
    expect(working.structuredContent).toMatchObject({ refId: "r1", status: "working", pollIntervalMs: 500 });
    const done = taskStatusToolResult(task({ status: "complete", completedAt: T0 }), { pollIntervalMs: 500 });
    expect(done.structuredContent).toMatchObject({ status: "completed" });
    expect(done.structuredContent).not.toHaveProperty("pollIntervalMs");
    expect(text(done)).toContain("Call get_cached_result");
    const failed = taskStatusToolResult(task({ status: "failed", error: "boom" }), { pollIntervalMs: 500 });
    expect(failed.structuredContent).toMatchObject({ status: "failed", error: "boom", statusMessage: "boom" });
    expect(text(failed)).toContain("Failed: boom");
    expect(text(taskStatusToolResult(task({ status: "cancelled" }), { pollIntervalMs: 1 }))).toContain("Cancelled");
    const expired = taskStatusToolResult(task({ status: "complete", resultExpired: true }), { pollIntervalMs: 1 });
    expect(expired.structuredContent).toMatchObject({ status: "completed", resultExpired: true });
    expect(text(expired)).toContain("its result has expired");
  });

  it("give the value of a complete task and isError for failed, cancelled or expired ones", () => {
    const opts = { pollIntervalMs: 100 };
    expect(taskOutcomeToolResult(task({ status: "complete" }), [1], opts).structuredContent).toEqual({
      refId: "r1",
      status: "completed",
      value: [1],
    });
    const expired = taskOutcomeToolResult(task({ status: "complete" }), undefined, opts);
    expect(expired.isError).toBe(true);
    expect(text(expired)).toContain("expired");
    const failed = taskOutcomeToolResult(task({ status: "failed", error: "boom" }), undefined, opts);
    expect([failed.isError, text(failed)]).toEqual([true, 'The work under refId "r1" failed: boom']);
    const cancelled = taskOutcomeToolResult(task({ status: "cancelled", error: "user" }), undefined, opts);
    expect(cancelled.isError).toBe(true);
    expect(text(cancelled)).toContain("cancelled: user");
    const notReady = taskOutcomeToolResult(task(), undefined, opts);
    expect(notReady.isError).toBeUndefined();
    expect(text(notReady)).toMatch(/^Not ready yet\. Still working/);
    expect(cancelledToolResult(task({ status: "cancelled" })).structuredContent).toMatchObject({ status: "cancelled" });
  });
});

describe("tool errors", () => {
  it("never tell an unknown ref from another client's", () => {
    const result = toolErrorResult("not_found", "r9");
    expect(result.isError).toBe(true);
    expect(text(result)).toContain("unknown, it expired, or it belongs to another client");
    expect(result.structuredContent).toEqual({ error: { kind: "not_found", refId: "r9", message: text(result) } });
  });

  it("map core error codes through one table and anything else to a failure of the work", () => {
    const kind = (e: unknown, refId?: string) =>
      (toolErrorFromException(e, refId).structuredContent as { error: { kind: string } }).error.kind;
    expect(kind(new TaskNotFoundError("x"))).toBe("not_found");
    expect(kind(new IllegalTransitionError("x", "complete", "cancelled"))).toBe("already_finished");
    expect(kind(ValidationError.single("ref id", "bad", "custom"))).toBe("invalid_input");
    expect(kind(Object.assign(new Error("full"), { code: "CAPACITY_EXCEEDED" }))).toBe("busy");
    expect(kind(new Error("query broke"), "r1")).toBe("failed");
    expect(kind(new Error("query broke"))).toBe("internal");
    expect(kind(Object.assign(new Error("odd"), { code: "ENOENT" }), "r1")).toBe("failed");
    expect(text(toolErrorFromException(new TaskNotFoundError("x")))).toContain('refId "x"');
  });
});
