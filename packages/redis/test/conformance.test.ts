/** Core's conformance suite, run against the Redis stores on the real Redis, with each transport. */
import { describeStoreConformance } from "@mcp-refcache/core/testing";
import { it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { TRANSPORTS } from "../src/transports.js";
import { available, deleteUnder, newPrefix, REDIS_URL, rawClient } from "./redis-fixture.js";

if (available) {
  for (const transport of TRANSPORTS) {
    describeStoreConformance(`redis stores (${transport} transport)`, () => {
      const prefix = newPrefix();
      const stores = createRedisStores({ url: REDIS_URL, prefix, transport });
      return {
        store: stores.store,
        taskStore: stores.taskStore,
        cleanup: async () => {
          await stores.close();
          const cleaner = rawClient();
          await deleteUnder(cleaner, prefix);
          cleaner.disconnect();
        },
      };
    });
  }
} else {
  it.skip("redis stores conformance (Redis unreachable)", () => {});
}
