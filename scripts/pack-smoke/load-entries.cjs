/**
 * Loads every public entry of the packed packages both ways a user can: `import()` and `require()`
 * (Node ≥ 20.19 / 22.12 loads ES modules with require). Both must give the same module, one instance, so
 * the packages cannot meet the dual-package hazard (two copies of RefCache, of RefCacheError, …).
 * Writes the specifiers that loaded to loaded-entries.json (the ones the type check then compiles).
 * Usage: node load-entries.cjs <specifier>…
 */
const assert = require("node:assert/strict");
const { writeFileSync } = require("node:fs");

async function main(specifiers) {
  const loaded = [];
  for (const specifier of specifiers) {
    let imported;
    try {
      imported = await import(specifier);
    } catch (error) {
      // An entry built for another runtime (e.g. one that imports `cloudflare:workers`) cannot load in
      // Node at all; its package's own pack-smoke scripts run it where it belongs.
      if (error?.code === "ERR_UNSUPPORTED_ESM_URL_SCHEME") {
        console.log(`  skip ${specifier}: not loadable in Node (${error.message.split("\n")[0]})`);
        continue;
      }
      throw error;
    }
    const required = require(specifier);
    const names = Object.keys(imported).sort();
    assert.ok(names.length > 0, `${specifier} exports nothing`);
    assert.deepEqual(
      Object.keys(required).sort(),
      names,
      `${specifier}: require() and import() export different names`,
    );
    for (const name of names) {
      assert.ok(required[name] === imported[name], `${specifier}: require() and import() give two copies of ${name}`);
    }
    console.log(`  ok   ${specifier}: import() and require() give the same ${names.length} exports`);
    loaded.push(specifier);
  }
  writeFileSync("loaded-entries.json", `${JSON.stringify(loaded)}\n`);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
