import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The SDKs are large and stateless at module level: loading them once per worker instead of once
    // per test file halves the suite's time on a busy machine.
    isolate: false,
  },
});
