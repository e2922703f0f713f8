import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Every file talks to the one shared Redis; files run one at a time so command counts and timings stay clean.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    benchmark: {
      include: ["bench/**/*.bench.ts"],
    },
  },
});
