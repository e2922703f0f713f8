/**
 * Stored tasks for the properties that hold a fast literal copy to its field-by-field path
 * (task-copy-shapes, finished-task): every field of `StoredTask` drawn, the optional ones absent (never
 * present as undefined, as a store hands tasks back), the rare ones rare enough that the common shapes
 * the fast paths serve are met often.
 */
import fc from "fast-check";
import type { TaskStatus } from "../src/models.js";
import type { StoredTask } from "../src/task-store.js";

/** Present half the time. */
export const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
/** Present one time in `1 + absentWeight`. */
const rare = <T>(arb: fc.Arbitrary<T>, absentWeight: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: absentWeight }, { arbitrary: arb, weight: 1 });

export const time = fc.integer({ min: 0, max: 4_000_000_000_000 });

export const progress = fc.record(
  { current: fc.nat(), total: fc.nat(), message: fc.string(), percentage: fc.double({ min: 0, max: 100 }) },
  { requiredKeys: [], noNullPrototype: true },
);

/** What varies between the properties: statuses drawn, how rare rare fields are, which are drawn often. */
export interface StoredTaskDraw {
  statuses: readonly [TaskStatus, ...TaskStatus[]];
  /** A rare field is present one time in `1 + rareAbsentWeight`. */
  rareAbsentWeight: number;
  /** Of these fields, the ones present half the time instead of rarely. */
  often: readonly ("owner" | "completedAt" | "resultExpiresAt")[];
}

/** A stored task as `draw` says. */
export function storedTasks({ statuses, rareAbsentWeight, often }: StoredTaskDraw): fc.Arbitrary<StoredTask> {
  const seldom = <T>(arb: fc.Arbitrary<T>) => rare(arb, rareAbsentWeight);
  const oftenOr = <T>(field: StoredTaskDraw["often"][number], arb: fc.Arbitrary<T>) =>
    often.includes(field) ? optional(arb) : seldom(arb);
  return fc
    .record({
      refId: fc.string({ minLength: 1 }),
      status: fc.constantFrom(...statuses),
      startedAt: time,
      updatedAt: time,
      retryCount: fc.nat(),
      runId: fc.string({ minLength: 1, maxLength: 64 }),
      version: fc.nat(),
      leaseMs: optional(fc.integer({ min: 1, max: 600_000 })),
      leaseExpired: seldom(fc.constant(true as const)),
      resultTtlMs: seldom(fc.oneof(fc.constant(null), fc.integer({ min: 1 }))),
      owner: oftenOr("owner", fc.string({ minLength: 1 })),
      progress: optional(progress),
      completedAt: oftenOr("completedAt", time),
      error: seldom(fc.string()),
      resultExpiresAt: oftenOr("resultExpiresAt", time),
      resultExpired: seldom(fc.constant(true as const)),
      resultExecuteOnly: seldom(fc.constant(true as const)),
      // Fenced: a field added to StoredTask fails to compile here until the properties draw it.
    } satisfies { [K in keyof StoredTask]-?: fc.Arbitrary<StoredTask[K]> })
    .map((task) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(task)) if (value !== undefined) out[key] = value;
      return out as unknown as StoredTask;
    });
}
