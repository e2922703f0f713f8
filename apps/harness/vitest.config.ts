import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // What a poll waits for (pub/sub messages, a page's updates) can take seconds on a loaded CI machine.
    expect: { poll: { timeout: 10_000 } },
  },
});
