import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const run = (...args: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", main, ...args]);

describe("pnpm start -- --flag", () => {
  // pnpm 10 passes the `--` on to the script: `pnpm start -- --help` runs `main.js -- --help`.
  it("takes its flags after the `--` that pnpm passes through", async () => {
    const { stdout } = await run("--", "--help");
    expect(stdout).toContain("usage: pnpm start");
  }, 30_000);

  it("takes them without it", async () => {
    const { stdout } = await run("--help");
    expect(stdout).toContain("usage: pnpm start");
  }, 30_000);

  it("still refuses a stray argument", async () => {
    await expect(run("--", "--help", "extra")).rejects.toMatchObject({ code: 1 });
  }, 30_000);
});
