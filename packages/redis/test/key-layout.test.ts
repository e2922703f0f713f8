/**
 * The cluster layout's keys: Redis Cluster's own slot function (checked against the values the Redis
 * Cluster specification and `CLUSTER KEYSLOT` give), every key a script touches for one id in one slot,
 * buckets spread over the slot range, and the single layout unchanged.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc16, hashSlot } from "../src/hash-slot.js";
import { CLUSTER_BUCKETS, CLUSTER_TAGS, keyLayout } from "../src/key-layout.js";

describe("hash slots", () => {
  it("match the Redis Cluster specification", () => {
    // The specification's check value for CRC16/XMODEM, and slots `CLUSTER KEYSLOT` answers.
    expect(crc16("123456789")).toBe(0x31c3);
    expect(hashSlot("foo")).toBe(12182);
    expect(hashSlot("{user1000}.following")).toBe(hashSlot("user1000"));
    expect(hashSlot("foo{}{bar}")).toBe(crc16("foo{}{bar}") % 16384);
    expect(hashSlot("foo{{bar}}zap")).toBe(crc16("{bar") % 16384);
  });
});

describe("cluster layout", () => {
  const layout = keyLayout("app:", "cluster");

  it("puts each bucket in its own sixteenth of the slot range", () => {
    const width = 16384 / CLUSTER_BUCKETS;
    expect(CLUSTER_TAGS.map((tag) => Math.floor(hashSlot(`{${tag}}`) / width))).toEqual(
      Array.from({ length: CLUSTER_BUCKETS }, (_, i) => i),
    );
    // Three masters as \`redis-cli --cluster create\` splits the slots: 5, 6 and 5 buckets.
    const master = (slot: number) => (slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);
    const perMaster = [0, 0, 0];
    for (const tag of CLUSTER_TAGS) {
      const m = master(hashSlot(`{${tag}}`));
      perMaster[m] = (perMaster[m] ?? 0) + 1;
    }
    expect(perMaster).toEqual([5, 6, 5]);
  });

  it("keeps a task's hash, its value and its bucket's indexes in one slot, for every id", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: "binary" }), (id) => {
        const bucket = layout.bucketOf(id);
        const slot = hashSlot(`${bucket.prefix}seq`);
        for (const key of [layout.task(id), layout.value(id), `${bucket.prefix}i:pending`, bucket.changes]) {
          expect(hashSlot(key)).toBe(slot);
        }
        expect(layout.task(id)).toBe(`${bucket.prefix}t:${id}`);
        expect(layout.bucketOf(id)).toBe(bucket);
      }),
    );
  });

  it("spreads sequential ids over every bucket", () => {
    const counts = new Map<number, number>();
    for (let i = 0; i < 1600; i++) {
      const { index } = layout.bucketOf(`task-${i}`);
      counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    expect(counts.size).toBe(CLUSTER_BUCKETS);
    // 100 per bucket on average; CRC16's low bits gave 43 to 95 for ids like these.
    for (const count of counts.values()) expect(count).toBeGreaterThan(60);
  });

  it("leaves the single layout's keys as they were", () => {
    const single = keyLayout("app:");
    expect(single.task("x")).toBe("app:t:x");
    expect(single.value("x")).toBe("app:v:x");
    expect(single.buckets).toEqual([{ index: 0, prefix: "app:", changes: "app:changes" }]);
  });
});
