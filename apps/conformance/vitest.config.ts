import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One test runs a whole conformance run (tens of scenarios, some waiting on slow tools).
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
