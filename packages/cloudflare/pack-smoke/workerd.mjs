/**
 * Smoke of the packed @mcp-refcache/cloudflare (run by scripts/pack-smoke.mjs in a scratch project). The
 * package imports `cloudflare:workers`, so Node cannot load it: this bundles a tiny Worker from the
 * installed tarballs with esbuild (neutral platform, `cloudflare:*` left to the runtime, as wrangler
 * does) and runs it on the workerd binary from npm. The Worker registers a task through one RefCache over
 * the Durable Object stores and reads its status and result through a second one, as another isolate
 * would.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const WORKER = `
import { RefCache } from "@mcp-refcache/core";
import { createDurableObjectStores } from "@mcp-refcache/cloudflare";
export { RefCacheShard } from "@mcp-refcache/cloudflare";

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/health") return new Response("ok");
    const runner = new RefCache({ name: "smoke", ...createDurableObjectStores(env, { shards: 2 }) });
    const reader = new RefCache({ name: "smoke", ...createDurableObjectStores(env, { shards: 2 }) });
    try {
      const refId = runner.newRefId();
      await runner.registerTask(refId, async ({ reportProgress }) => {
        await reportProgress({ current: 1, total: 1 });
        return { rows: 7 };
      }, { owner: "smoke" });
      const task = await reader.waitForTask(refId, { timeoutMs: 10_000 });
      return Response.json({ status: task?.status, value: await reader.get(refId) });
    } finally {
      await Promise.all([runner.close(), reader.close()]);
    }
  },
};
`;

const freePort = () =>
  new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

const dir = mkdtempSync(join(process.cwd(), ".cloudflare-smoke-"));
let child;
try {
  writeFileSync(join(dir, "entry.mjs"), WORKER);
  await build({
    entryPoints: [join(dir, "entry.mjs")],
    outfile: join(dir, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    target: "es2022",
    logLevel: "silent",
  });
  const port = await freePort();
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "state", disk = (path = ${JSON.stringify(join(dir, "state"))}, writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-05-05",
  bindings = [ (name = "REFCACHE", durableObjectNamespace = "RefCacheShard") ],
  durableObjectNamespaces = [ (className = "RefCacheShard", uniqueKey = "pack-smoke", enableSql = true) ],
  durableObjectStorage = (localDisk = "state"),
);
`,
  );
  mkdirSync(join(dir, "state"));
  let output = "";
  child = spawn(resolve("node_modules", ".bin", "workerd"), ["serve", join(dir, "config.capnp")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`workerd did not answer within 60 s:\n${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  const response = await fetch(`${base}/`);
  const text = await response.text();
  assert.equal(response.status, 200, `${text}\n${output}`);
  assert.deepEqual(JSON.parse(text), { status: "complete", value: { rows: 7 } });
} finally {
  child?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
console.log("cloudflare: a task registered in workerd over the Durable Object stores, read back by another cache");
