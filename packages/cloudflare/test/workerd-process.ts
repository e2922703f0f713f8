// Runs a Worker on the real workerd binary (the npm package, as the Hono runtime tests do): bundles its
// entry with esbuild for the neutral platform (any Node import fails the build), writes a workerd config
// with the RefCacheShard Durable Object namespace (SQLite-backed, in memory or on disk), starts workerd on
// a free 127.0.0.1 port and waits until /health answers.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const workerdPath = join(packageDir, "node_modules", ".bin", "workerd");

/** The workerd binary, or why it cannot run (under CI=true a missing binary fails the tests). */
export function workerdBinary(): { path: string } | { missing: string } {
  if (!existsSync(workerdPath)) return { missing: `${workerdPath} is not installed` };
  const probe = spawnSync(workerdPath, ["--version"], { encoding: "utf8", timeout: 20_000 });
  if (probe.status !== 0) return { missing: `workerd --version failed: ${probe.error?.message ?? probe.stderr}` };
  return { path: workerdPath };
}

/** Throws under CI=true when workerd is missing; elsewhere says so once and tells the caller to skip. */
export function skipWithoutWorkerd(): boolean {
  const binary = workerdBinary();
  if (!("missing" in binary)) return false;
  if (process.env.CI === "true") throw new Error(`workerd is required under CI=true: ${binary.missing}`);
  console.warn(`skipping the workerd tests: ${binary.missing}`);
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Bundles `entry` (a path) into `outFile` for workerd; `vitest` resolves to the in-workerd shim. */
export async function bundleWorker(entry: string, outFile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    alias: { vitest: fileURLToPath(new URL("./workerd/vitest-shim.ts", import.meta.url)) },
    target: "es2022",
    logLevel: "silent",
  });
}

export interface WorkerdOptions {
  /** Where the bundled worker lives (`worker.js`), and the config and state beside it. */
  dir: string;
  port: number;
  /**
   * Where Durable Object state lives (SQLite needs a disk): `dir/state` by default, which a restart over
   * the same `dir` finds again.
   */
  stateDir?: string;
  /** Plain-text bindings (env vars). */
  vars?: Record<string, string>;
  /** Durable Object classes the worker exports, by binding name; default `{ REFCACHE: "RefCacheShard" }`. */
  objects?: Record<string, string>;
  /**
   * A second Worker (`dir/<module>`, bundled by the caller) on its own port, bound to the main Worker's
   * Durable Object classes (by binding name): a test's view of the stored state that goes through no
   * RefCache of the Worker under test.
   */
  inspector?: { module: string; port: number; objects: Record<string, string> };
}

const stateDir = (options: WorkerdOptions): string => options.stateDir ?? join(options.dir, "state");

function config(options: WorkerdOptions): string {
  const vars = Object.entries(options.vars ?? {})
    .map(([name, value]) => `, (name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`)
    .join("");
  const objects = Object.entries(options.objects ?? { REFCACHE: "RefCacheShard" });
  const bindings = objects.map(([name, cls]) => `(name = "${name}", durableObjectNamespace = "${cls}")`).join(", ");
  const namespaces = objects
    .map(([, cls]) => `(className = "${cls}", uniqueKey = "refcache-test-${cls}", enableSql = true)`)
    .join(", ");
  const stateService = `, (name = "state", disk = (path = ${JSON.stringify(stateDir(options))}, writable = true))`;
  const inspector = options.inspector;
  const inspectorService = inspector === undefined ? "" : `, (name = "inspector", worker = .inspector)`;
  const inspectorSocket =
    inspector === undefined
      ? ""
      : `, (name = "inspect", address = "127.0.0.1:${inspector.port}", http = (), service = "inspector")`;
  const inspectorWorker =
    inspector === undefined
      ? ""
      : `
const inspector :Workerd.Worker = (
  modules = [ (name = "${inspector.module}", esModule = embed "${inspector.module}") ],
  compatibilityDate = "2025-05-05",
  bindings = [ ${Object.entries(inspector.objects)
    .map(([name, cls]) => `(name = "${name}", durableObjectNamespace = (className = "${cls}", serviceName = "main"))`)
    .join(", ")} ],
);
`;
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker)${stateService}${inspectorService} ],
  sockets = [ (name = "http", address = "127.0.0.1:${options.port}", http = (), service = "main")${inspectorSocket} ],
);
${inspectorWorker}
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-05-05",
  bindings = [ ${bindings}${vars} ],
  durableObjectNamespaces = [ ${namespaces} ],
  durableObjectStorage = (localDisk = "state"),
);
`;
}

export interface RunningWorkerd {
  baseUrl: string;
  dir: string;
  output(): string;
  /** Stops workerd (its state directory stays, for a restart); SIGKILL cuts it off as a crash would. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops workerd and removes its directory. */
  dispose(): Promise<void>;
}

/** Starts workerd over `dir/worker.js` and waits for `GET /health`. */
export async function startWorkerd(options: WorkerdOptions): Promise<RunningWorkerd> {
  const binary = workerdBinary();
  if ("missing" in binary) throw new Error(binary.missing);
  await mkdir(stateDir(options), { recursive: true });
  await writeFile(join(options.dir, "config.capnp"), config(options));
  const child: ChildProcess = spawn(binary.path, ["serve", join(options.dir, "config.capnp"), "--verbose"], {
    detached: true,
    cwd: options.dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let printed = "";
  child.stdout?.on("data", (chunk) => {
    printed += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    printed += String(chunk);
  });
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      child.kill(signal);
    }
    await exited;
  };
  const running: RunningWorkerd = {
    baseUrl,
    dir: options.dir,
    output: () => printed,
    stop,
    dispose: async () => {
      await stop("SIGTERM");
      await rm(options.dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}:\n${printed}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) return running;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`workerd did not answer /health within 30 s:\n${printed}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh temporary directory for one workerd. */
export function workerdDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `refcache-cloudflare-${name}-`));
}
