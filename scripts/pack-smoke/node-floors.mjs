/**
 * The lowest Node version of each range in `engines.node` (e.g. "^20.19.0 || >=22.12.0" → 20.19.0 and
 * 22.12.0), fetched from the npm registry as the `node-<platform>-<arch>` package, so the smoke proves
 * the floor the packages state instead of only the Node that runs CI.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** "^20.19.0 || >=22.12.0" → ["20.19.0", "22.12.0"]; any other form of range is refused. */
export function floorVersions(range) {
  return range.split("||").map((alternative) => {
    const match = /^\s*(?:\^|>=)\s*(\d+\.\d+\.\d+)\s*$/.exec(alternative);
    if (match === null) throw new Error(`cannot read a floor from engines.node alternative "${alternative.trim()}"`);
    return match[1];
  });
}

/** Path of a `node` binary of `version`, installed once under `cacheDir`. */
export function installNode(version, cacheDir, env) {
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(cacheDir, `node-${version}`);
  const binary = join(prefix, "node_modules", pkg, "bin", "node");
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync(
      "npm",
      ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${version}`],
      { stdio: ["ignore", "ignore", "inherit"], env },
    );
  }
  const reported = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  if (reported !== `v${version}`) throw new Error(`${binary} reports ${reported}, not v${version}`);
  return binary;
}
