/**
 * The conformance suite every store pair (value Store + TaskStore) must pass: memory, Redis, or yours.
 * Call `describeStoreConformance` from a vitest test file with a factory of fresh, empty stores.
 */
import { RefCache } from "../ref-cache.js";
import { describeSharedCachesConformance } from "./conformance-caches.js";
import { type ConformanceStores, SteppingClock, type WithStores, type WithTwoCaches } from "./conformance-support.js";
import { describeTaskStoreConformance } from "./conformance-tasks.js";
import { describeValueStoreConformance } from "./conformance-values.js";

export type { ConformanceStores } from "./conformance-support.js";

export function describeStoreConformance(
  name: string,
  makeStores: () => ConformanceStores | Promise<ConformanceStores>,
) {
  /** Runs `body` with fresh stores, always cleaning up. */
  const withStores: WithStores = (body) => async () => {
    const stores = await makeStores();
    try {
      await body(stores);
    } finally {
      await stores.cleanup?.();
    }
  };
  /** Two caches over the same stores, as two instances behind a load balancer. */
  const withTwoCaches: WithTwoCaches = (body) =>
    withStores(async (s) => {
      const clock = new SteppingClock();
      const options = { store: s.store, taskStore: s.taskStore, clock, taskLeaseMs: 60_000 };
      const a = new RefCache({ ...options, instanceId: "a" });
      const b = new RefCache({ ...options, instanceId: "b" });
      try {
        await body(a, b, clock, s);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  describeValueStoreConformance(name, withStores);
  describeTaskStoreConformance(name, withStores);
  describeSharedCachesConformance(name, withStores, withTwoCaches);
}
