/**
 * What every published package's manifest must hold, so a package added later follows the same setup:
 * checked on the source manifest (before packing) and on the packed one (what the registry would get).
 * Each check returns a list of problems; an empty list means the package passes.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies"];

/** The files an `exports` map (and `main`/`types`) points at, as paths relative to the package root. */
export function exportTargets(manifest) {
  const targets = new Set();
  const walk = (value) => {
    if (typeof value === "string") targets.add(value);
    else if (value !== null && typeof value === "object") for (const inner of Object.values(value)) walk(inner);
  };
  walk(manifest.exports);
  for (const field of ["main", "types"]) if (typeof manifest[field] === "string") targets.add(manifest[field]);
  return [...targets].filter((target) => !target.includes("*"));
}

/** The subpaths a user can import (`"."` → the package name), without `./package.json`. */
export function importSpecifiers(manifest) {
  const subpaths = typeof manifest.exports === "object" && !Array.isArray(manifest.exports) ? manifest.exports : {};
  return Object.keys(subpaths)
    .filter((subpath) => subpath.startsWith(".") && subpath !== "./package.json" && !subpath.includes("*"))
    .map((subpath) => (subpath === "." ? manifest.name : `${manifest.name}${subpath.slice(1)}`));
}

/**
 * The source manifest of `packages/<dir>`: registry metadata, the Node floor shared with the root, the
 * LICENSE shipped, ESM-only exports with `types` first, internal dependencies as `workspace:^` ranges.
 */
export function checkSourceManifest({ dir, packageDir, manifest, root, internalNames }) {
  const problems = [];
  const expect = (ok, message) => {
    if (!ok) problems.push(message);
  };
  expect(manifest.license === root.manifest.license, `license must be "${root.manifest.license}", as the root's`);
  expect(Array.isArray(manifest.keywords) && manifest.keywords.length > 0, "keywords must be a non-empty list");
  expect(typeof manifest.homepage === "string" && manifest.homepage.startsWith("https://"), "homepage is missing");
  expect(typeof manifest.bugs?.url === "string", "bugs.url is missing");
  expect(
    manifest.repository?.type === "git" && typeof manifest.repository?.url === "string",
    'repository must be { "type": "git", "url": … }',
  );
  expect(manifest.repository?.directory === `packages/${dir}`, `repository.directory must be "packages/${dir}"`);
  expect(
    manifest.engines?.node === root.manifest.engines.node,
    `engines.node must be "${root.manifest.engines.node}", as the root's (the floor where require() of ESM works)`,
  );
  expect(manifest.type === "module", 'type must be "module" (the packages are ESM-only)');
  expect(manifest.sideEffects === false, "sideEffects must be false");
  expect(manifest.publishConfig?.access === "public", 'publishConfig.access must be "public"');
  for (const file of ["dist", "README.md", "LICENSE"]) {
    expect(manifest.files?.includes(file), `files must include "${file}"`);
  }
  const license = join(packageDir, "LICENSE");
  expect(
    existsSync(license) && readFileSync(license, "utf8") === root.license,
    "LICENSE must be a copy of the root LICENSE",
  );
  expect(
    typeof manifest.scripts?.["check:package"] === "string",
    'scripts["check:package"] (publint, attw) is missing',
  );
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    if (conditions !== null && typeof conditions === "object") {
      expect(Object.keys(conditions)[0] === "types", `exports["${subpath}"] must list "types" first`);
      expect(!("require" in conditions), `exports["${subpath}"] has "require": the packages ship ESM only`);
    }
  }
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (internalNames.has(name)) {
        expect(range === "workspace:^", `${field}["${name}"] must be "workspace:^" (published as a ^ range)`);
      }
    }
  }
  const smokeDir = join(packageDir, "pack-smoke");
  expect(
    existsSync(smokeDir) && readdirSync(smokeDir).some((file) => /\.(mjs|cjs)$/.test(file)),
    "pack-smoke/ must hold at least one .mjs or .cjs smoke script (see scripts/pack-smoke.mjs)",
  );
  return problems;
}

/** The manifest and files of a package as npm installed it from its tarball, with its siblings shared. */
export function checkInstalledPackage({ installedDir, manifest, internalNames }) {
  const problems = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith("workspace:")) problems.push(`packed ${field}["${name}"] is still "${range}"`);
      else if (internalNames.has(name) && !range.startsWith("^")) {
        problems.push(`packed ${field}["${name}"] is "${range}", not a ^ range`);
      }
    }
  }
  for (const file of ["LICENSE", "README.md", ...exportTargets(manifest)]) {
    if (!existsSync(join(installedDir, file))) problems.push(`the tarball lacks ${file}`);
  }
  // The ranges must let npm share the one copy of each sibling it installed, never nest another.
  for (const name of internalNames) {
    if (existsSync(join(installedDir, "node_modules", ...name.split("/")))) {
      problems.push(`npm installed a second copy of ${name} under it`);
    }
  }
  return problems;
}
