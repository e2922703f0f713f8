// Starts the demo app on a real runtime (workerd, Deno, Bun, Node) on a free 127.0.0.1 port: bundles
// its entry with esbuild (neutral platform for the edge runtimes, so any Node import fails the build),
// spawns the runtime's binary from node_modules/.bin and waits until /health answers.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export type RuntimeName = "workerd" | "deno" | "bun" | "node";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const binDir = join(packageDir, "node_modules", ".bin");

export interface RunningApp {
  baseUrl: string;
  /** Everything the runtime printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The binary that runs `name`, or why it cannot run. */
export function runtimeBinary(name: RuntimeName): { path: string } | { missing: string } {
  if (name === "node") return { path: process.execPath };
  const path = join(binDir, name);
  if (!existsSync(path)) return { missing: `${path} is not installed` };
  const probe = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 20_000 });
  if (probe.status !== 0) return { missing: `${path} --version failed: ${probe.error?.message ?? probe.stderr}` };
  return { path };
}

async function freePort(): Promise<number> {
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

async function bundle(name: RuntimeName, port: number, outFile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL(`./entry-${name}.ts`, import.meta.url))],
    outfile: outFile,
    bundle: true,
    format: "esm",
    platform: name === "node" ? "node" : "neutral",
    mainFields: ["module", "main"],
    conditions: name === "workerd" ? ["workerd", "worker"] : [],
    target: "es2022",
    define: { __PORT__: String(port) },
    logLevel: "silent",
  });
}

/** A minimal workerd config: one ES module worker behind an HTTP socket on 127.0.0.1:port. */
function workerdConfig(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .demoWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const demoWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-05-05",
);
`;
}

function command(name: RuntimeName, binary: string, dir: string): string[] {
  switch (name) {
    case "workerd":
      return [binary, "serve", join(dir, "config.capnp"), "--verbose"];
    case "deno":
      return [binary, "run", "--allow-net=127.0.0.1", "--no-prompt", join(dir, "worker.js")];
    case "bun":
      return [binary, "run", join(dir, "worker.js")];
    case "node":
      return [binary, join(dir, "worker.js")];
  }
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`runtime exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`runtime did not answer /health within 30 s:\n${output()}`);
}

export async function startApp(name: RuntimeName, binary: string): Promise<RunningApp> {
  const dir = await mkdtemp(join(tmpdir(), `refcache-hono-${name}-`));
  const port = await freePort();
  await bundle(name, port, join(dir, "worker.js"));
  if (name === "workerd") await writeFile(join(dir, "config.capnp"), workerdConfig(port));
  const [file, ...args] = command(name, binary, dir);
  const child = spawn(file as string, args, {
    // Its own process group: npm's bin shims start the runtime as a grandchild, which must stop too.
    detached: true,
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" },
  });
  let printed = "";
  child.stdout?.on("data", (chunk) => {
    printed += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    printed += String(chunk);
  });
  const output = () => printed;
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-(child.pid as number), "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, output, stop };
}
