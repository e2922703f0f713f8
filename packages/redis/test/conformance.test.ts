/** Core's conformance suite, run against the Redis stores on the real Redis, with each transport. */
import { describeStoreConformance } from "@mcp-refcache/core/testing";
import { it } from "vitest";
import { TRANSPORTS } from "../src/transports.js";
import { available, conformanceStores } from "./redis-fixture.js";

if (available) {
  for (const transport of TRANSPORTS) {
    describeStoreConformance(`redis stores (${transport} transport)`, () => conformanceStores({ transport }));
  }
} else {
  it.skip("redis stores conformance (Redis unreachable)", () => {});
}
