import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // What a poll waits for (pub/sub messages, a page's updates) can take seconds on a loaded CI machine.
    expect: { poll: { timeout: 10_000 } },
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
