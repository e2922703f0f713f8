import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every file starts a real workerd process; give it room on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
