import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TaskInfo, WORKER_LOST_MESSAGE } from "../src/index.js";
import {
  decodeProtocolFailure,
  encodeProtocolFailure,
  fromMcpTaskStatus,
  isTerminalMcpStatus,
  McpTaskStatusSchema,
  TASK_FAILED_ERROR_CODE,
  toCreateTaskResultV2,
  toDetailedTaskV2,
  toMcpTask,
  toMcpTaskStatus,
  toMcpTaskStatusV2,
  toMcpTaskV2,
} from "../src/mcp/index.js";

const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);

function task(overrides: Partial<TaskInfo> = {}): TaskInfo {
  return {
    refId: "tools:abc",
    status: "processing",
    startedAt: T0,
    updatedAt: T0 + 1500,
    retryCount: 0,
    ...overrides,
  } as TaskInfo;
}

describe("status names", () => {
  it("maps every core status onto MCP's and back", () => {
    expect(
      (["pending", "processing", "complete", "failed", "cancelled"] as const).map((s) => toMcpTaskStatus(s)),
    ).toEqual(["working", "working", "completed", "failed", "cancelled"]);
    expect(fromMcpTaskStatus("working")).toEqual(["pending", "processing"]);
    expect(fromMcpTaskStatus("completed")).toEqual(["complete"]);
    expect(fromMcpTaskStatus("failed")).toEqual(["failed"]);
    expect(fromMcpTaskStatus("cancelled")).toEqual(["cancelled"]);
    expect(fromMcpTaskStatus("input_required")).toEqual([]);
  });

  it("knows which MCP statuses are terminal", () => {
    expect(McpTaskStatusSchema.options.filter(isTerminalMcpStatus)).toEqual(["completed", "failed", "cancelled"]);
  });
});

describe("2025-11-25 task shape", () => {
  it("uses the ref id as task id, ISO timestamps, ttl and pollInterval", () => {
    expect(toMcpTask(task(), { ttlMs: 60_000, pollIntervalMs: 250 })).toEqual({
      taskId: "tools:abc",
      status: "working",
      ttl: 60_000,
      createdAt: "2026-11-26T03:00:00.000Z",
      lastUpdatedAt: "2026-11-26T03:00:01.500Z",
      pollInterval: 250,
    });
  });

  it("reports progress as statusMessage while working and the error once failed", () => {
    const working = task({ progress: { current: 3, total: 10, percentage: 30, message: "rows" } });
    expect(toMcpTask(working, { ttlMs: null }).statusMessage).toBe("3/10 (30%) rows");
    const failed = task({ status: "failed", error: "disk full", completedAt: T0 + 2000 });
    expect(toMcpTask(failed, { ttlMs: null })).toMatchObject({
      status: "failed",
      statusMessage: "disk full",
      ttl: null,
    });
    expect(toMcpTask(failed, { ttlMs: null })).not.toHaveProperty("pollInterval");
  });
});

describe("2026-07-28 extension shape", () => {
  it("names its fields ttlMs and pollIntervalMs and marks a CreateTaskResult with resultType task", () => {
    expect(toMcpTaskV2(task(), { ttlMs: 5000, pollIntervalMs: 100 })).toEqual({
      taskId: "tools:abc",
      status: "working",
      createdAt: "2026-11-26T03:00:00.000Z",
      lastUpdatedAt: "2026-11-26T03:00:01.500Z",
      ttlMs: 5000,
      pollIntervalMs: 100,
    });
    expect(toCreateTaskResultV2(task(), { ttlMs: null })).toMatchObject({ resultType: "task", ttlMs: null });
  });

  it("inlines the result of a completed task and the error of a failed one", () => {
    const done = toDetailedTaskV2(task({ status: "complete" }), { ttlMs: 1000 }, { rows: 2 });
    expect(done).toMatchObject({
      status: "completed",
      result: {
        resultType: "complete",
        structuredContent: { rows: 2 },
        content: [{ type: "text", text: JSON.stringify({ rows: 2 }) }],
      },
    });
    const cancelled = toDetailedTaskV2(task({ status: "cancelled" }), { ttlMs: 1000 });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled).not.toHaveProperty("result");
    expect(cancelled).not.toHaveProperty("error");
  });

  it("reads a task its tool failed as completed with an isError result, as SEP-2663 wants", () => {
    const failed = task({ status: "failed", error: "boom" });
    expect(toDetailedTaskV2(failed, { ttlMs: 1000 })).toEqual({
      ...toMcpTaskV2(failed, { ttlMs: 1000 }),
      status: "completed",
      result: { resultType: "complete", content: [{ type: "text", text: "boom" }], isError: true },
    });
    expect(toMcpTaskStatusV2(failed)).toBe("completed");
    expect(toCreateTaskResultV2(failed, { ttlMs: null }).status).toBe("completed");
    // 2025-11-25 keeps it failed: there a tool result with isError ends the task failed.
    expect(toMcpTask(failed, { ttlMs: null }).status).toBe("failed");
  });

  it("reads a protocol-level failure (encoded by an adapter, or a lost worker) as failed with its JSON-RPC error", () => {
    const protocol = task({ status: "failed", error: encodeProtocolFailure({ code: -32001, message: "upstream: x" }) });
    expect(toDetailedTaskV2(protocol, { ttlMs: 1000 })).toMatchObject({
      status: "failed",
      error: { code: -32001, message: "upstream: x" },
    });
    expect(toDetailedTaskV2(protocol, { ttlMs: 1000 })).not.toHaveProperty("result");
    const lost = task({ status: "failed", error: WORKER_LOST_MESSAGE });
    expect(toDetailedTaskV2(lost, { ttlMs: 1000 })).toMatchObject({
      status: "failed",
      error: { code: TASK_FAILED_ERROR_CODE, message: WORKER_LOST_MESSAGE },
    });
  });

  it("round-trips every protocol failure through its stored reason, and reads no other reason as one", () => {
    fc.assert(
      fc.property(fc.integer({ min: -99_999, max: 99_999 }), fc.string(), (code, message) => {
        expect(decodeProtocolFailure(encodeProtocolFailure({ code, message }))).toEqual({ code, message });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (reason) => {
        fc.pre(!reason.startsWith("MCP protocol error ") && reason !== WORKER_LOST_MESSAGE);
        expect(decodeProtocolFailure(reason)).toBeUndefined();
      }),
    );
  });

  it("reads a completed task whose value is gone as failed, saying it expired", () => {
    expect(toDetailedTaskV2(task({ status: "complete" }), { ttlMs: 1000 }, undefined)).toMatchObject({
      status: "failed",
      error: { message: expect.stringContaining("expired") },
    });
  });
});
