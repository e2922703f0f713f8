import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedisStores } from "../dist/index.js";
import { CREATE_TASK, UPDATE_TASK } from "../dist/lua-scripts.js";

const r = new Redis({ enableAutoPipelining: true });
const P = `refcache-bench:${randomUUID()}:`;
const c = await r.script("LOAD", CREATE_TASK);
const u = await r.script("LOAD", UPDATE_TASK);
async function measure(label, n, op) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (i < n) {
        i++;
        await op();
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  console.log(label, `${((n / ms) * 1000) | 0}/s`, `cpu/lifecycle ${((cpu.user + cpu.system) / n).toFixed(1)} us`);
}
async function raw() {
  const id = randomUUID();
  const now = Date.now();
  const task = { refId: id, runId: id, status: "pending", startedAt: now, updatedAt: now };
  await r.evalsha(c, 2, P + "t:" + id, P + "v:" + id, P, id, JSON.stringify(task), "pending", "", "", "", "", "null");
  let v = 1;
  for (let s = 1; s <= 3; s++)
    await r.evalsha(
      u,
      2,
      P + "t:" + id,
      P + "v:" + id,
      P,
      id,
      String(v),
      JSON.stringify({ ...task, status: "processing", version: ++v, progress: { current: s, total: 3 } }),
      "processing",
      "",
      String(now + 30000),
      "",
      "null",
    );
  await r.evalsha(
    u,
    2,
    P + "t:" + id,
    P + "v:" + id,
    P,
    id,
    String(v),
    JSON.stringify({ ...task, status: "complete", version: v + 1 }),
    "complete",
    "",
    "",
    String(now),
    "null",
    '{"ok":true}',
    String(now),
    String(now + 60000),
    "",
    "60000",
  );
  await r.hget(P + "t:" + id, "j");
}
const { taskStore, close } = createRedisStores({ prefix: P });
async function ours() {
  const refId = randomUUID();
  const now = Date.now();
  const task = { refId, runId: refId, status: "pending", startedAt: now, updatedAt: now, retryCount: 0, version: 0 };
  await taskStore.create(task);
  let version = 1;
  for (let step = 1; step <= 3; step++)
    await taskStore.update(
      { ...task, status: "processing", progress: { current: step, total: 3 }, leaseExpiresAt: now + 30000 },
      version++,
    );
  await taskStore.update({ ...task, status: "complete", completedAt: now }, version, {
    data: '{"ok":true}',
    createdAt: now,
    expiresAt: now + 60000,
  });
  await taskStore.get(refId);
}
for (let k = 0; k < 3; k++) {
  await measure("raw  ", 3000, raw);
  await measure("ours ", 3000, ours);
}
let keys;
let cursor = "0";
do {
  [cursor, keys] = await r.scan(cursor, "MATCH", P + "*", "COUNT", 1000);
  if (keys.length) await r.del(...keys);
} while (cursor !== "0");
await close();
r.disconnect();
