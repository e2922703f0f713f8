/**
 * What a TypeScript user compiles against the packed packages: every entry that loads in Node, imported
 * from an ES module (`.mts`) and required from a CommonJS one (`.cts`, which TypeScript ≥ 5.8 allows for
 * ES modules under `module: "nodenext"`, as Node ≥ 20.19 does), with `skipLibCheck` off so the shipped
 * declarations themselves must compile for a Node user (`@types/node`, no DOM lib).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes the files into `project` and returns the tsc arguments to run there. */
export function prepareTypeCheck(project, specifiers) {
  const binding = (index) => `entry${index}`;
  writeFileSync(
    join(project, "types-esm.mts"),
    `${specifiers.map((s, i) => `import * as ${binding(i)} from ${JSON.stringify(s)};`).join("\n")}\n` +
      `export const entries: object[] = [${specifiers.map((_, i) => binding(i)).join(", ")}];\n`,
  );
  writeFileSync(
    join(project, "types-cjs.cts"),
    `${specifiers.map((s, i) => `import ${binding(i)} = require(${JSON.stringify(s)});`).join("\n")}\n` +
      `export const entries: object[] = [${specifiers.map((_, i) => binding(i)).join(", ")}];\n`,
  );
  const tsconfig = {
    compilerOptions: {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2022"],
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ["types-esm.mts", "types-cjs.cts"],
  };
  writeFileSync(join(project, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return [join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"];
}

/**
 * Splits tsc's errors into ours (the packed @mcp-refcache declarations and the two entry files) and those
 * in other packages' declarations, which are reported but not ours to fix (SDK v1's declarations, for one,
 * name the DOM type `HeadersInit`, so they compile only with the DOM lib or `skipLibCheck`).
 */
export function splitTypeErrors(output, scope) {
  const ours = [];
  const theirs = [];
  for (const line of output.split("\n")) {
    const match = /^(.+?)\(\d+,\d+\): error TS\d+/.exec(line);
    if (match === null) continue;
    const file = match[1];
    const isOurs = !file.includes("node_modules/") || file.includes(`node_modules/${scope}/`);
    (isOurs ? ours : theirs).push(line);
  }
  return { ours, theirs };
}
