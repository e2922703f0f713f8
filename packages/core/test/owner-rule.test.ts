/**
 * The owner rule (owner.ts): server code sees everything, what it stores without an owner is server-only,
 * an owner sees and writes only its own entries, the anonymous owner never lists — on every path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ANONYMOUS_OWNER,
  ErrorCode,
  ForbiddenError,
  isVisibleTo,
  ownerForPrincipal,
  type RefCache,
  RefCacheError,
  resolveOwner,
  sessionOwner,
  ValidationError,
} from "../src/index.js";
import {
  answerCachedResult,
  answerCancelTask,
  answerTaskStatus,
  ownerFromAuthInfo,
  requestOwner,
} from "../src/mcp/index.js";
import { deferred, until, useCaches } from "./helpers.js";

const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((c) => c.text ?? "").join("\n");
const MALLORY = "session:mallory";

/** The input: a server-side task with a result and a server-only value. */
async function serverEntries(cache: RefCache): Promise<void> {
  await cache.registerTask("nightly-report", async () => ({ revenue: 42 }));
  await until(() => cache.getTaskStatus("nightly-report")?.status === "complete");
  await cache.set("internal:db", { password: "hunter2" });
}

/** What an owner's polling tools answer for `refId`, with the id blanked out (to compare with an unknown id). */
async function pollingAnswers(cache: RefCache, refId: string, owner: string): Promise<string[]> {
  const context = { owner, pollIntervalMs: 100 };
  const answers = [
    await answerTaskStatus(cache, { refId }, context),
    await answerCachedResult(cache, { refId }, context),
    await answerCancelTask(cache, { refId }, context),
  ];
  return answers.map((a) => JSON.stringify({ ...a, text: text(a) }).replaceAll(refId, "<ref>"));
}

describe("the owner helpers", () => {
  it("build one owner string format", () => {
    expect(ownerForPrincipal("client-7")).toBe("auth:client-7");
    expect(sessionOwner("abc")).toBe("session:abc");
    expect(ANONYMOUS_OWNER).toBe("anonymous");
    expect(resolveOwner(undefined)).toBe(ANONYMOUS_OWNER);
    expect(resolveOwner("auth:x")).toBe("auth:x");
  });

  it("name an MCP request's owner from its auth info, else the anonymous owner", () => {
    expect(ownerFromAuthInfo({ clientId: "claude" })).toBe("auth:claude");
    expect(ownerFromAuthInfo({ clientId: "" })).toBeUndefined();
    expect(ownerFromAuthInfo(undefined)).toBeUndefined();
    expect(requestOwner({ clientId: "claude" })).toBe("auth:claude");
    expect(requestOwner(undefined)).toBe(ANONYMOUS_OWNER);
  });

  it("refuse empty and over-long principals, session ids and resolved owners", () => {
    for (const bad of [() => ownerForPrincipal(""), () => sessionOwner(""), () => resolveOwner("")]) {
      expect(bad).toThrow(ValidationError);
    }
    expect(() => ownerForPrincipal("p".repeat(507))).not.toThrow();
    expect(() => ownerForPrincipal("p".repeat(508))).toThrow(ValidationError);
    expect(() => resolveOwner("o".repeat(513))).toThrow(ValidationError);
    expect(() => resolveOwner(42 as unknown as string)).toThrow(ValidationError);
  });
});

describe("owners that would not survive a store's UTF-8", () => {
  const makeCache = useCaches();

  it("are refused wherever an owner is taken: any string with a lone surrogate, and no other", () => {
    // encodeURIComponent refuses exactly the strings with a lone surrogate: an oracle apart from core's own.
    const wellFormed = (text: string) => {
      try {
        encodeURIComponent(text);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 8 }), (text) => {
        for (const make of [resolveOwner, ownerForPrincipal, sessionOwner]) {
          if (wellFormed(text)) expect(() => make(text)).not.toThrow();
          else expect(() => make(text)).toThrow(/well-formed Unicode/);
        }
      }),
    );
  });

  it("never reach the store, so one cannot read what another stored (a JWT subject of a lone surrogate)", async () => {
    const { cache } = makeCache();
    const victim = "auth:alice\ud800";
    await expect(cache.set("secret", { ssn: 1 }, { owner: victim })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask("job", {}, { owner: victim })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.get("secret", { owner: "auth:alice\udfff" })).rejects.toBeInstanceOf(ValidationError);
    expect(await cache.get("secret")).toBeUndefined();
    expect(await cache.getTask("job")).toBeUndefined();
  });
});

describe("server-side entries, seen by a client owner", () => {
  const makeCache = useCaches();

  it("read as unknown on every read path, exactly like an id that was never used", async () => {
    const { cache } = makeCache();
    await serverEntries(cache);
    for (const refId of ["nightly-report", "internal:db"]) {
      expect(await cache.getTask(refId, { owner: MALLORY })).toBeUndefined();
      expect(await cache.get(refId, { owner: MALLORY })).toBeUndefined();
      expect(await cache.getEntry(refId, { owner: MALLORY })).toBeUndefined();
      expect(await cache.has(refId, { owner: MALLORY })).toBe(false);
      expect(await cache.waitForTask(refId, { owner: MALLORY, timeoutMs: 0 })).toBeUndefined();
      expect(await pollingAnswers(cache, refId, MALLORY)).toEqual(
        await pollingAnswers(cache, "never-used-id", MALLORY),
      );
    }
    expect((await cache.queryTasks({ owner: MALLORY })).tasks).toEqual([]);
  });

  it("cannot be deleted, cancelled, overwritten or re-run by the owner, and stay as they were", async () => {
    const { cache } = makeCache();
    await serverEntries(cache);
    expect(await cache.delete("internal:db", { owner: MALLORY })).toBe(false);
    expect(await cache.delete("nightly-report", { owner: MALLORY })).toBe(false);
    await expect(cache.cancelTask("nightly-report", undefined, { owner: MALLORY })).rejects.toMatchObject({
      code: ErrorCode.TaskNotFound,
    });
    for (const refId of ["nightly-report", "internal:db"]) {
      await expect(cache.set(refId, "mine", { owner: MALLORY })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(cache.registerTask(refId, async () => "mine", { owner: MALLORY })).rejects.toMatchObject({
        code: ErrorCode.Forbidden,
      });
    }
    expect(await cache.get("internal:db")).toEqual({ password: "hunter2" });
    expect(await cache.get("nightly-report")).toEqual({ revenue: 42 });
    expect(await cache.getTask("nightly-report")).toMatchObject({ status: "complete", retryCount: 0 });
  });

  it("stay visible to server-side code, which may still write anything", async () => {
    const { cache } = makeCache();
    await serverEntries(cache);
    await cache.set("alice-key", "a", { owner: "auth:alice" });
    expect(await cache.get("alice-key")).toBe("a");
    await cache.set("alice-key", "server's now");
    expect(await cache.get("alice-key", { owner: "auth:alice" })).toBeUndefined();
  });
});

describe("owners among themselves", () => {
  const makeCache = useCaches();

  it("re-run and overwrite only what they hold", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", async () => 1, { owner: "auth:alice" });
    await until(() => cache.getTaskStatus("job")?.status === "complete");
    await expect(cache.registerTask("job", async () => 2, { owner: "auth:bob" })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(cache.set("job", 2, { owner: "auth:bob" })).rejects.toBeInstanceOf(ForbiddenError);
    const again = await cache.registerTask("job", async () => 3, { owner: "auth:alice" });
    expect(again.retryCount).toBe(1);
    await until(() => cache.getTaskStatus("job")?.status === "complete");
    expect(await cache.get("job", { owner: "auth:alice" })).toBe(3);
    await cache.set("job", 4, { owner: "auth:alice" });
    expect(await cache.get("job", { owner: "auth:alice" })).toBe(4);
  });

  it("do not reveal another owner's running task through delete", async () => {
    const { cache } = makeCache();
    const gate = deferred<number>();
    await cache.registerTask("job", () => gate.promise, { owner: "auth:alice" });
    expect(await cache.delete("job", { owner: "auth:bob" })).toBe(false);
    await expect(cache.delete("job", { owner: "auth:alice" })).rejects.toMatchObject({
      code: ErrorCode.KeyOwnedByTask,
    });
    gate.resolve(1);
  });

  it("write over an expired value of another owner", async () => {
    const { cache, clock } = makeCache();
    await cache.set("k", 1, { owner: "auth:alice", ttlMs: 10 });
    clock.advance(10);
    await cache.set("k", 2, { owner: "auth:bob" });
    expect(await cache.get("k", { owner: "auth:bob" })).toBe(2);
  });

  it("see a task and its result alike, for every pair of writer and reader", async () => {
    const owners = [undefined, "auth:a", "auth:b", ANONYMOUS_OWNER, "session:s"];
    const { cache } = makeCache();
    let n = 0;
    for (const writer of owners) {
      const task = `t${n}`;
      const value = `v${n++}`;
      await cache.registerTask(task, async () => "r", writer === undefined ? {} : { owner: writer });
      await cache.set(value, "x", writer === undefined ? {} : { owner: writer });
      await until(() => cache.getTaskStatus(task)?.status === "complete");
      for (const reader of owners) {
        const scope = reader === undefined ? {} : { owner: reader };
        const sees = reader === undefined || reader === writer;
        expect(isVisibleTo(writer === undefined ? {} : { owner: writer }, reader)).toBe(sees);
        expect((await cache.getTask(task, scope)) !== undefined, `${reader} reads ${writer}'s task`).toBe(sees);
        expect((await cache.get(task, scope)) !== undefined, `${reader} reads ${writer}'s result`).toBe(sees);
        expect(await cache.has(value, scope), `${reader} reads ${writer}'s value`).toBe(sees);
        if (reader !== ANONYMOUS_OWNER) {
          const listed = (await cache.queryTasks(scope)).tasks.some((t) => t.refId === task);
          expect(listed, `${reader} lists ${writer}'s task`).toBe(sees);
        }
      }
    }
  });
});

/** Counts the task store reads `cache` makes from now on; returns the count so far. */
function countTaskReads(cache: RefCache): () => number {
  let reads = 0;
  const get = cache.taskStore.get.bind(cache.taskStore);
  cache.taskStore.get = (id) => {
    reads++;
    return get(id);
  };
  return () => reads;
}

describe("fresh ids", () => {
  const makeCache = useCaches();

  it("skip the owner-rule reads once, and are checked like any other id after", async () => {
    const { cache } = makeCache();
    const reads = countTaskReads(cache);
    const refId = cache.newRefId();
    await cache.registerTask(refId, async () => 1, { owner: "auth:alice" });
    expect(reads()).toBe(0);
    await until(() => cache.getTaskStatus(refId)?.status === "complete");
    await expect(cache.registerTask(refId, async () => 2, { owner: "auth:bob" })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(reads()).toBeGreaterThan(0);
  });

  it("are remembered up to 1024, the oldest forgotten first (then checked like any other id)", async () => {
    const { cache } = makeCache();
    const reads = countTaskReads(cache);
    await expect(cache.set("", "no key")).rejects.toBeInstanceOf(ValidationError); // touches no fresh id
    const ids = Array.from({ length: 1025 }, () => cache.newRefId());
    await cache.registerTask(ids[1] as string, async () => 1, { owner: "auth:alice" });
    await cache.registerTask(ids[1024] as string, async () => 1, { owner: "auth:alice" });
    expect(reads()).toBe(0);
    await cache.registerTask(ids[0] as string, async () => 1, { owner: "auth:alice" });
    expect(reads()).toBeGreaterThan(0);
  });

  it("are checked once something was stored under them", async () => {
    const { cache } = makeCache();
    const refId = cache.newRefId();
    await cache.set(refId, "server's");
    await expect(cache.registerTask(refId, async () => 1, { owner: "auth:alice" })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await cache.get(refId)).toBe("server's");
  });
});

describe("the anonymous owner", () => {
  const makeCache = useCaches();

  it("reads what it holds the id of, and can never list", async () => {
    const { cache } = makeCache();
    const refId = cache.newRefId();
    await cache.registerTask(refId, async () => "mine", { owner: ANONYMOUS_OWNER });
    await until(() => cache.getTaskStatus(refId)?.status === "complete");
    expect(await cache.get(refId, { owner: ANONYMOUS_OWNER })).toBe("mine");
    const refused = await cache.queryTasks({ owner: ANONYMOUS_OWNER }).catch((e: unknown) => e);
    expect(RefCacheError.isInstance(refused, ErrorCode.Forbidden)).toBe(true);
    await expect(cache.queryTasks({ owner: ANONYMOUS_OWNER, cursor: "m1.x" })).rejects.toBeInstanceOf(ForbiddenError);
  });
});
