import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The runtime proofs start real processes (workerd, Deno, Bun, Node); give them room on a busy machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
