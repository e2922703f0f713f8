#!/usr/bin/env node
/**
 * Catches a broken publish before release: packs every public package under packages/ as it would be
 * published (`pnpm pack`: `workspace:^` becomes a ^ range), installs the tarballs with npm into a scratch
 * project in a temp dir (third-party dependencies and peers come from the registry, as a user gets them),
 * and there loads every entry through import() and require(), compiles them as a TypeScript user does,
 * and runs each package's own smoke scripts (`packages/<dir>/pack-smoke/`): on this Node and, with
 * --floors, on the lowest Node of every range in engines.node. Before packing, each manifest is checked
 * against the setup every package shares (./pack-smoke/manifest-checks.mjs).
 *
 * A package's `pack-smoke/` folder (never published) holds:
 *   *.mjs, *.cjs       run with `node` from the scratch project's root; exit non-zero to fail
 *   *.vitest.mjs       run with vitest there (for entries that need a test runner)
 *   needs.json         ["name", …]: test-only packages the scripts import, at the version this
 *                      package (or the root) has in its package.json
 *
 * Usage (after `pnpm build`): node scripts/pack-smoke.mjs [--floors] [--node <path>]… [--keep]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  checkInstalledPackage,
  checkSourceManifest,
  exportTargets,
  importSpecifiers,
} from "./pack-smoke/manifest-checks.mjs";
import { floorVersions, installNode } from "./pack-smoke/node-floors.mjs";
import { prepareTypeCheck, splitTypeErrors } from "./pack-smoke/type-check.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    floors: { type: "boolean", default: false },
    node: { type: "string", multiple: true, default: [] },
    keep: { type: "boolean", default: false },
  },
});

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const root = {
  manifest: readJson(join(repoRoot, "package.json")),
  license: readFileSync(join(repoRoot, "LICENSE"), "utf8"),
};

// Children get a plain environment: the variables a package manager sets for a script run (its own
// config among them) would otherwise steer the scratch project's npm.
const KEPT_NPM_VARIABLES = new Set(["npm_config_registry", "npm_config_cache", "npm_config_userconfig"]);
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || KEPT_NPM_VARIABLES.has(name.toLowerCase())),
);

let scratch; // the temp dir, once made
let failures = 0;
let passes = 0;
const fail = (what, detail) => {
  failures++;
  console.log(`  FAIL ${what}${detail ? `\n${detail.replace(/^/gm, "       ")}` : ""}`);
};
const pass = (what) => {
  passes++;
  console.log(`  ok   ${what}`);
};

// --- the packages: every packages/* that is not private -------------------------------------------
const packages = readdirSync(join(repoRoot, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, "packages", entry.name, "package.json")))
  .map((entry) => {
    const packageDir = join(repoRoot, "packages", entry.name);
    return { dir: entry.name, packageDir, manifest: readJson(join(packageDir, "package.json")) };
  })
  .filter((pkg) => pkg.manifest.private !== true)
  .sort((a, b) => a.dir.localeCompare(b.dir));
if (packages.length === 0) throw new Error("no public package under packages/");
const internalNames = new Set(packages.map((pkg) => pkg.manifest.name));

console.log(`pack-smoke: ${packages.map((pkg) => pkg.manifest.name).join(", ")}`);
for (const pkg of packages) {
  const problems = checkSourceManifest({ ...pkg, root, internalNames });
  const unbuilt = exportTargets(pkg.manifest).filter((target) => !existsSync(join(pkg.packageDir, target)));
  if (unbuilt.length > 0) problems.push(`not built (run pnpm build first): ${unbuilt.join(", ")}`);
  if (problems.length === 0) pass(`${pkg.manifest.name}: package.json, LICENSE, pack-smoke/`);
  else fail(`${pkg.manifest.name}: package.json`, problems.join("\n"));
}
// A peer that several packages share (zod) must be asked for with one range, or a user meets two demands.
const peerRanges = new Map();
for (const pkg of packages) {
  for (const [name, range] of Object.entries(pkg.manifest.peerDependencies ?? {})) {
    peerRanges.set(name, [...(peerRanges.get(name) ?? []), `${pkg.manifest.name}: ${range}`]);
  }
}
for (const [name, demands] of peerRanges) {
  const ranges = new Set(demands.map((demand) => demand.slice(demand.lastIndexOf(": ") + 2)));
  if (ranges.size > 1) fail(`peer dependency ${name} asked for with different ranges`, demands.join("\n"));
}
if (failures > 0) finish();

// --- pack, then install the tarballs the way a user would --------------------------------------------
scratch = mkdtempSync(join(tmpdir(), "mcp-refcache-pack-smoke-"));
const project = join(scratch, "project");
const tarballs = join(scratch, "tarballs");
mkdirSync(project, { recursive: true });
mkdirSync(tarballs, { recursive: true });

// pnpm at the version the repository pins, as .ci/run runs it.
const pnpmVersion = root.manifest.packageManager.replace(/^pnpm@/, "");
for (const pkg of packages) {
  const output = execFileSync(
    "npx",
    ["--yes", `pnpm@${pnpmVersion}`, "pack", "--pack-destination", tarballs, "--json"],
    {
      cwd: pkg.packageDir,
      encoding: "utf8",
      env: childEnv,
    },
  );
  pkg.tarball = JSON.parse(output.slice(output.indexOf("{"))).filename;
}

/** The version of a test-only package, taken from this package's or the root's package.json. */
function neededVersion(pkg, name) {
  for (const manifest of [pkg.manifest, root.manifest]) {
    for (const field of ["devDependencies", "dependencies", "peerDependencies"]) {
      const range = manifest[field]?.[name];
      if (range !== undefined && !range.startsWith("workspace:")) return range;
    }
  }
  throw new Error(`${pkg.dir}/pack-smoke/needs.json names ${name}, which neither it nor the root depends on`);
}
// The type check compiles with the repository's TypeScript and Node types.
const needed = new Map(["typescript", "@types/node"].map((name) => [name, root.manifest.devDependencies[name]]));
for (const pkg of packages) {
  const needsFile = join(pkg.packageDir, "pack-smoke", "needs.json");
  for (const name of existsSync(needsFile) ? readJson(needsFile) : []) needed.set(name, neededVersion(pkg, name));
}

writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "pack-smoke", private: true }, null, 2)}\n`);
const install = spawnSync(
  "npm",
  [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...packages.map((pkg) => pkg.tarball),
    ...[...needed].map(([name, range]) => `${name}@${range}`),
  ],
  { cwd: project, encoding: "utf8", env: childEnv },
);
if (install.status !== 0) {
  fail("npm install of the tarballs", `${install.stdout}${install.stderr}`);
  finish();
}
pass(`npm installed ${packages.length} tarballs${needed.size > 0 ? ` and ${[...needed.keys()].join(", ")}` : ""}`);

for (const pkg of packages) {
  const installedDir = join(project, "node_modules", ...pkg.manifest.name.split("/"));
  const installed = readJson(join(installedDir, "package.json"));
  const problems = checkInstalledPackage({ installedDir, manifest: installed, internalNames });
  if (problems.length === 0) pass(`${pkg.manifest.name}: tarball (files, ranges of internal dependencies)`);
  else fail(`${pkg.manifest.name}: tarball`, problems.join("\n"));
  cpSync(join(pkg.packageDir, "pack-smoke"), join(project, "smoke", pkg.dir), {
    recursive: true,
    filter: (source) => !source.endsWith("needs.json"),
  });
}
writeFileSync(
  join(project, "vitest.config.mjs"),
  'export default { test: { include: ["smoke/**/*.vitest.mjs"], testTimeout: 60_000 } };\n',
);
cpSync(join(repoRoot, "scripts", "pack-smoke", "load-entries.cjs"), join(project, "load-entries.cjs"));

// --- run, on every Node asked for ------------------------------------------------------------------
const nodes = [process.execPath, ...args.node];
if (args.floors) {
  const cacheDir = join(repoRoot, "node_modules", ".cache", "pack-smoke");
  for (const version of floorVersions(root.manifest.engines.node)) {
    if (`v${version}` !== process.version) nodes.push(installNode(version, cacheDir, childEnv));
  }
}

/** Runs one command in the scratch project; a failure prints its output. */
function run(what, command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: project, encoding: "utf8", env: childEnv, timeout: 180_000 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  if (result.status === 0) pass(what);
  else fail(what, `${result.error ? `${result.error.message}\n` : ""}${output}`);
}

const specifiers = packages.flatMap((pkg) => importSpecifiers(pkg.manifest));
const vitestFiles = packages.some((pkg) =>
  readdirSync(join(pkg.packageDir, "pack-smoke")).some((file) => file.endsWith(".vitest.mjs")),
);
for (const node of nodes) {
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  console.log(`node ${version}`);
  const loaded = spawnSync(node, ["load-entries.cjs", ...specifiers], {
    cwd: project,
    encoding: "utf8",
    env: childEnv,
    timeout: 180_000,
  });
  for (const line of loaded.stdout.split("\n")) if (line.startsWith("  skip")) console.log(line);
  if (loaded.status === 0) pass(`every entry loads through import() and require(), one instance each`);
  else fail("loading the entries", `${loaded.stdout}${loaded.stderr}`);
  if (node === process.execPath && loaded.status === 0) {
    const typeCheck = prepareTypeCheck(project, readJson(join(project, "loaded-entries.json")));
    const tsc = spawnSync(node, typeCheck, { cwd: project, encoding: "utf8", env: childEnv, timeout: 180_000 });
    const { ours, theirs } = splitTypeErrors(`${tsc.stdout}${tsc.stderr}`, "@mcp-refcache");
    const what = "TypeScript (nodenext, no DOM lib): every entry imported from .mts and required from .cts";
    if (ours.length === 0 && (tsc.status === 0 || theirs.length > 0)) pass(what);
    else fail(what, ours.length > 0 ? ours.join("\n") : `${tsc.stdout}${tsc.stderr}`);
    for (const line of theirs) console.log(`       (not ours) ${line}`);
  }
  for (const pkg of packages) {
    const scripts = readdirSync(join(project, "smoke", pkg.dir))
      .filter((file) => /\.(mjs|cjs)$/.test(file) && !file.endsWith(".vitest.mjs"))
      .sort();
    for (const script of scripts) run(`${pkg.manifest.name}: ${script}`, node, [join("smoke", pkg.dir, script)]);
  }
  if (vitestFiles) {
    run("*.vitest.mjs (vitest)", node, [
      join("node_modules", "vitest", "vitest.mjs"),
      "run",
      "--config",
      "vitest.config.mjs",
    ]);
  }
}
finish();

function finish() {
  if (scratch !== undefined && !args.keep) rmSync(scratch, { recursive: true, force: true });
  else if (scratch !== undefined) console.log(`scratch project kept: ${join(scratch, "project")}`);
  const total = passes + failures;
  console.log(
    failures === 0 ? `pack-smoke: all ${total} checks passed` : `pack-smoke: ${failures} of ${total} checks failed`,
  );
  process.exit(failures > 0 ? 1 : 0);
}
